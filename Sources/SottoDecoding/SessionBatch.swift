import Foundation
import SottoModel

/// Decoding steps of several transcriptions on one model as one batched forward pass: every
/// session with an encoded window contributes its rows (one for greedy, `beamSize` or `bestOf`
/// for beam search or sampling), each row attending to its own window's audio and its own KV cache
/// of its own length. Sessions join and leave between steps; a window's prompt runs alone when it
/// joins, a temperature fallback restarts that session's window in place. Each session samples
/// exactly as `advance` does, so greedy text equals unbatched text.
public enum SessionBatch {
    /// Advances every session in `sessions` (all `isDecodingWindow`, all on one model) by one
    /// token; returns, per session, the segments of a window that finished in this step (empty
    /// for the others, which stay `isDecodingWindow`).
    public static func decodeStep(_ sessions: inout [TranscriptionSession]) -> [ArraySlice<Segment>] {
        guard let model = sessions.first?.transcriber.model else { return [] }
        precondition(sessions.allSatisfy { $0.transcriber.model === model && $0.isDecodingWindow },
                     "decodeStep takes sessions with an encoded window on one model")
        let start = ContinuousClock.now
        for i in sessions.indices { sessions[i].beginWindowDecode() }
        let running = sessions.indices.filter { !sessions[$0].window!.isFinished }
        if !running.isEmpty {
            let logits = model.decodeStep(running.map { sessions[$0].window!.nextTokens },
                                          states: running.map { sessions[$0].window!.state })
            for (row, i) in running.enumerated() { sessions[i].window!.accept(logits[row]) }
        }
        // Each session spent the step's whole wall time decoding, as it would have alone.
        let seconds = start.duration(to: .now).seconds
        return sessions.indices.map { i in
            sessions[i].addDecodeSeconds(seconds)
            return sessions[i].window!.isFinished ? sessions[i].finishWindowDecode() : []
        }
    }
}
