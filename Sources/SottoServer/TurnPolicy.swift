import Foundation

/// How the scheduler batches the decoding steps of the requests it runs.
package struct BatchingOptions: Sendable, Equatable {
    /// Decoder rows in one forward pass, at most: a greedy request is one row, beam search
    /// `beam_size` rows (a request with more rows than this still steps, alone).
    package var maxBatch: Int
    /// How long a batch that a newcomer joins, with fewer than `maxBatch` sequences and nothing
    /// else waiting, waits for more requests before its first step.
    package var windowMilliseconds: Int

    package init(maxBatch: Int = 8, windowMilliseconds: Int = 0) {
        precondition(maxBatch >= 1 && windowMilliseconds >= 0, "maxBatch >= 1, windowMilliseconds >= 0")
        self.maxBatch = maxBatch
        self.windowMilliseconds = windowMilliseconds
    }
}

/// The scheduler's choice of work, as a pure function of each job's progress so it can be tested
/// without a model.
///
/// A job's service is its count of half-window turns: starting (mel, language), each encoder pass,
/// each window decoded to its end. Least attained service first: the job that has had the fewest
/// turns goes next, so a short clip that arrives during a long file waits for one half-window. Jobs
/// whose next turn is decoding step together: one step is one token for every one of them (up to
/// `maxBatch` decoder rows, fewest turns first), and a job that needs an encoder pass or a start runs before the
/// step when it has had no more turns than the least served decoder.
package enum TurnPolicy {
    package struct Progress: Equatable {
        package var id: UUID
        package var turns: Int
        package var arrival: Int
        /// Its next turn is a decoding step (a window is encoded).
        package var isDecoding: Bool
        /// Decoder rows its step runs (1 greedy, the beam size for beam search).
        package var rows: Int

        package init(id: UUID, turns: Int, arrival: Int, isDecoding: Bool, rows: Int = 1) {
            self.id = id
            self.turns = turns
            self.arrival = arrival
            self.isDecoding = isDecoding
            self.rows = rows
        }
    }

    package enum Turn: Equatable {
        /// Start the job or run its encoder pass.
        case single(UUID)
        /// One decoding step of these jobs together.
        case decodeStep([UUID])
        case idle
    }

    package static func next(_ jobs: [Progress], maxBatch: Int) -> Turn {
        let order: (Progress, Progress) -> Bool = { ($0.turns, $0.arrival) < ($1.turns, $1.arrival) }
        let decoders = jobs.filter(\.isDecoding).sorted(by: order)
        let single = jobs.filter { !$0.isDecoding }.min(by: order)
        if let single, decoders.first.map({ single.turns <= $0.turns }) ?? true { return .single(single.id) }
        guard !decoders.isEmpty else { return .idle }
        return .decodeStep(fill(decoders, maxRows: maxBatch))
    }

    /// The jobs, in order, whose rows fit in `maxRows` (the first always steps, even alone over
    /// the limit); a job that does not fit leaves room for smaller ones after it.
    static func fill(_ decoders: [Progress], maxRows: Int) -> [UUID] {
        var chosen: [UUID] = []
        var rows = 0
        for job in decoders where chosen.isEmpty || rows + job.rows <= maxRows {
            chosen.append(job.id)
            rows += job.rows
        }
        return chosen
    }
}
