import Foundation
import Hummingbird
import SottoDecoding

/// `stream=true`: server-sent events as OpenAI's SDK parses them, one `transcript.text.delta`
/// per decoded segment, then `transcript.text.done` with the whole text. An error after the
/// stream has started arrives as an event with an `error` member, which the SDK raises.
package enum EventStream {
    package static let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]

    /// Runs the job while streaming; a client that goes away cancels it when the next write fails.
    package static func response(job: TranscriptionJob, lifecycle: ServerLifecycle) -> Response {
        lifecycle.hold()
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { lifecycle.end() }
            let (segments, continuation) = AsyncStream<[Segment]>.makeStream()
            let runner = Task {
                defer { continuation.finish() }
                return try await job.run { continuation.yield($0) }
            }
            try await withTaskCancellationHandler {
                do {
                    for await batch in segments {
                        for segment in batch { try await writer.write(event(delta: segment)) }
                    }
                } catch {
                    runner.cancel()
                    throw error
                }
                switch await runner.result {
                case .success(let result): try await writer.write(event(done: result))
                case .failure(let error as APIError): try await writer.write(event(error: error))
                case .failure(let error): try await writer.write(event(error: .internalError("\(error)")))
                }
                try await writer.finish(nil)
            } onCancel: {
                runner.cancel()
            }
        })
    }

    /// A cache hit streamed all at once, in the same events.
    package static func response(cached result: TranscriptionResult) -> Response {
        var buffer = ByteBuffer()
        for segment in result.segments { buffer.writeImmutableBuffer(event(delta: segment)) }
        buffer.writeImmutableBuffer(event(done: result))
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// OpenAI's delta event, plus the segment's `start` and `end` in seconds (the SDK keeps
    /// unknown members), which the page shows as timestamps.
    package static func event(delta segment: Segment) -> ByteBuffer {
        frame(DeltaEvent(delta: segment.text, start: segment.start, end: segment.end))
    }

    package struct DeltaEvent: Encodable {
        var type = "transcript.text.delta"
        var delta: String
        var start: Double
        var end: Double
    }

    package static func event(done result: TranscriptionResult) -> ByteBuffer {
        frame(["type": "transcript.text.done", "text": ResponseRenderer.text(result)])
    }

    package static func event(error: APIError) -> ByteBuffer {
        frame(error.body)
    }

    private static func frame(_ value: some Encodable) -> ByteBuffer {
        let json = (try? ResponseRenderer.encode(value)) ?? []
        return ByteBuffer(bytes: Array("data: ".utf8) + json + Array("\n\n".utf8))
    }
}
