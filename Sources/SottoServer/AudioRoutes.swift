import Foundation
import Hummingbird
import SottoAudio
import SottoDecoding
import SottoText

/// `POST /v1/audio/transcriptions` and `/v1/audio/translations`: upload, parse, cache lookup,
/// audio decoding, then the model's scheduler; the response in the format the client asked for.
package struct AudioRoutes: Sendable {
    package let options: ServerOptions
    package let lifecycle: ServerLifecycle
    package let metrics: ServerMetrics
    package let cache: ResultCache

    /// Multipart headers and text fields on top of the file itself.
    package static let formOverheadBytes = 64 * 1024

    package func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/audio/transcriptions") { request, _ in try await handle(request, task: .transcribe) }
        router.post("/v1/audio/translations") { request, _ in try await handle(request, task: .translate) }
    }

    package func handle(_ request: Request, task: WhisperTask) async throws -> Response {
        guard let registry = lifecycle.registry else { throw APIError.notReady }
        let limit = options.maxUploadBytes + Self.formOverheadBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError.uploadTooLarge(limitBytes: options.maxUploadBytes)
        }
        // A client that hangs up cancels this task, and with it the job in the scheduler.
        return try await request.body.consumeWithCancellationOnInboundClose { body in
            let bytes = try await collect(body, limit: limit)
            let transcription = try parse(bytes, contentType: request.headers[.contentType], task: task)
            let scheduler = try registry.scheduler(named: transcription.model)
            return try await respond(transcription, scheduler: scheduler)
        }
    }

    /// The whole body, refusing it as soon as it grows past `limit` (no more is read).
    private func collect(_ body: RequestBody, limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await buffer in body {
            guard bytes.count + buffer.readableBytes <= limit else {
                throw APIError.uploadTooLarge(limitBytes: options.maxUploadBytes)
            }
            bytes += buffer.readableBytesView
        }
        return bytes
    }

    private func parse(_ bytes: [UInt8], contentType: String?, task: WhisperTask) throws(APIError) -> TranscriptionRequest {
        guard let contentType, let boundary = MultipartForm.boundary(contentType: contentType) else {
            throw .invalidRequest("The request must be multipart/form-data with a boundary.")
        }
        return try TranscriptionRequest(form: MultipartForm(body: bytes, boundary: boundary), task: task)
    }

    private func respond(_ transcription: TranscriptionRequest, scheduler: ModelScheduler) async throws -> Response {
        let decodingOptions = transcription.options
        // An English-only model has no translate task: English text would pass for a translation
        // of audio it cannot understand, so the request is refused (OpenAI's error shape, 400).
        if !scheduler.transcriber.tokenizer.isMultilingual && decodingOptions.decoding.task == .translate {
            throw APIError.translationNotSupported(model: scheduler.name)
        }
        let key = ResultCache.key(audio: transcription.audio, model: scheduler.name, options: decodingOptions)
        if let cached = await cache.value(forKey: key) {
            metrics.cache(hit: true)
            return try render(cached, transcription)
        }
        metrics.cache(hit: false)
        let samples = try await Self.decodeAudio(transcription.audio, filename: transcription.filename)
        let audio = await Self.prepare(samples, for: scheduler.transcriber)
        let job = TranscriptionJob(
            scheduler: scheduler, audio: audio, options: decodingOptions,
            deadlineSeconds: options.deadlineSeconds(audioSeconds: audio.durationSeconds),
            metrics: metrics, cache: cache, cacheKey: key)
        if transcription.stream {
            return EventStream.response(job: job, lifecycle: lifecycle)
        }
        return try render(try await job.run(), transcription)
    }

    private func render(_ result: TranscriptionResult, _ transcription: TranscriptionRequest) throws -> Response {
        if transcription.stream { return EventStream.response(cached: result) }
        let body = try ResponseRenderer.body(result, format: transcription.format, task: transcription.task,
                                             granularities: transcription.granularities)
        return Response(status: .ok, headers: [.contentType: ResponseRenderer.contentType(transcription.format)],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The log-mel spectrogram, on a plain thread like the audio decoding: the scheduler thread
    /// then spends its turns on the model only.
    package static func prepare(_ samples: [Float], for transcriber: Transcriber) async -> PreparedAudio {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: transcriber.prepare(samples: samples)) }
        }
    }

    /// WAV natively, anything else through ffmpeg; on a plain thread, as decoding blocks.
    package static func decodeAudio(_ bytes: [UInt8], filename: String) async throws -> [Float] {
        let decoded: Result<[Float], any Error> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { try AudioLoader.load(data: Data(bytes), name: filename) })
            }
        }
        do {
            let samples = try decoded.get()
            guard !samples.isEmpty else { throw APIError.invalidRequest("The audio in '\(filename)' is empty.", param: "file") }
            return samples
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.invalidRequest("Could not decode the audio: \(error)", param: "file")
        }
    }
}

/// One accepted transcription: runs on the model's scheduler, then feeds the cache and metrics.
package struct TranscriptionJob: Sendable {
    package let scheduler: ModelScheduler
    package let audio: PreparedAudio
    package let options: TranscriptionOptions
    package let deadlineSeconds: Double
    package let metrics: ServerMetrics
    package let cache: ResultCache
    package let cacheKey: String

    package func run(onSegments: @escaping @Sendable ([Segment]) -> Void = { _ in }) async throws -> TranscriptionResult {
        let started = ContinuousClock.now
        let result: TranscriptionResult
        do {
            result = try await scheduler.transcribe(audio: audio, options: options,
                                                    deadlineSeconds: deadlineSeconds, onSegments: onSegments)
        } catch let error as SchedulerError {
            throw APIError(error, model: scheduler.name)
        } catch let error as DecodingError {
            throw APIError.invalidRequest("\(error)")
        }
        metrics.transcribed(model: scheduler.name, audioSeconds: result.durationSeconds,
                            processing: started.duration(to: .now))
        await cache.store(result, forKey: cacheKey)
        return result
    }
}

extension APIError {
    package init(_ error: SchedulerError, model: String) {
        switch error {
        case .queueFull: self = .queueFull(model: model, retryAfterSeconds: 1)
        case .deadlineExceeded(let seconds): self = .deadlineExceeded(seconds: seconds)
        case .cancelled: self = APIError(status: .init(code: 499, reasonPhrase: "Client Closed Request"),
                                         message: "The client closed the connection.", type: "cancelled",
                                         param: nil, code: "client_closed")
        case .shutDown: self = .draining
        }
    }
}
