import Foundation
import SottoServer
import Testing

/// Which work the scheduler runs next, from each job's progress alone.
@Suite struct TurnPolicyTests {
    static let ids = (0..<5).map { _ in UUID() }

    func job(_ i: Int, turns: Int, decoding: Bool) -> TurnPolicy.Progress {
        TurnPolicy.Progress(id: Self.ids[i], turns: turns, arrival: i, isDecoding: decoding)
    }

    @Test func nothingToDoIsIdle() {
        #expect(TurnPolicy.next([], maxBatch: 8) == .idle)
    }

    @Test func everyDecodingJobStepsTogetherFewestTurnsFirstUpToTheLimit() {
        let jobs = [job(0, turns: 5, decoding: true), job(1, turns: 3, decoding: true), job(2, turns: 9, decoding: true)]
        #expect(TurnPolicy.next(jobs, maxBatch: 8) == .decodeStep([Self.ids[1], Self.ids[0], Self.ids[2]]))
        #expect(TurnPolicy.next(jobs, maxBatch: 2) == .decodeStep([Self.ids[1], Self.ids[0]]))
    }

    /// A newcomer starts and encodes before the next step of a long file that has had more turns,
    /// so it joins the batch instead of waiting for the file's window to end.
    @Test func aLessServedJobStartsOrEncodesBeforeTheNextStep() {
        let jobs = [job(0, turns: 7, decoding: true), job(1, turns: 0, decoding: false)]
        #expect(TurnPolicy.next(jobs, maxBatch: 8) == .single(Self.ids[1]))
        let tied = [job(0, turns: 2, decoding: true), job(1, turns: 2, decoding: false)]
        #expect(TurnPolicy.next(tied, maxBatch: 8) == .single(Self.ids[1]))
    }

    /// A long file that wants its next encoder pass waits while less served jobs decode.
    @Test func aMoreServedEncoderPassWaitsForTheStep() {
        let jobs = [job(0, turns: 9, decoding: false), job(1, turns: 2, decoding: true)]
        #expect(TurnPolicy.next(jobs, maxBatch: 8) == .decodeStep([Self.ids[1]]))
    }

    @Test func theLeastServedOfSeveralWaitingJobsGoesFirst() {
        let jobs = [job(0, turns: 4, decoding: false), job(1, turns: 1, decoding: false), job(2, turns: 1, decoding: false)]
        #expect(TurnPolicy.next(jobs, maxBatch: 8) == .single(Self.ids[1]))
    }

    /// The limit counts decoder rows: a beam-search job of 5 rows fills most of a batch of 8, a
    /// job that does not fit leaves room for a smaller one after it, and one over the limit steps alone.
    @Test func theBatchLimitCountsDecoderRows() {
        func decoding(_ i: Int, rows: Int) -> TurnPolicy.Progress {
            TurnPolicy.Progress(id: Self.ids[i], turns: i, arrival: i, isDecoding: true, rows: rows)
        }
        let jobs = [decoding(0, rows: 5), decoding(1, rows: 5), decoding(2, rows: 1), decoding(3, rows: 1)]
        #expect(TurnPolicy.next(jobs, maxBatch: 8) == .decodeStep([Self.ids[0], Self.ids[2], Self.ids[3]]))
        #expect(TurnPolicy.next([decoding(0, rows: 10), decoding(1, rows: 1)], maxBatch: 8) == .decodeStep([Self.ids[0]]))
        #expect(TurnPolicy.next(jobs, maxBatch: 1) == .decodeStep([Self.ids[0]]))
    }
}
