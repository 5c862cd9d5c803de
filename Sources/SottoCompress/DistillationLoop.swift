import Foundation
import SottoModel
import SottoTrain

/// The training loop of `sotto distill` around a `Trainer`: when to stop (steps, epochs or a
/// wall-clock budget), when to score the student for checkpoint selection and keep the best
/// parameters, when to save resumable state.
final class DistillationLoop {
    let trainer: Trainer
    let selection: CheckpointSelection?
    /// Supplies config and tokenizer when a student is scored.
    let like: Checkpoint
    let options: DistillationOptions
    /// The step count the run stops at (steps or epochs), nil when only the clock bounds it.
    let stopSteps: Int?
    var state: DistillationState
    /// The best-scoring parameters so far.
    private(set) var best: [Float]?

    /// Steps timed before a clock-bounded run fixes its schedule's length.
    static let probeSteps = 3
    /// The schedule's length until then: long enough that warm-up and the start of the decay are
    /// those of a long run.
    static let provisionalScheduleSteps = 1_000_000

    init(trainer: Trainer, selection: CheckpointSelection?, like: Checkpoint, options: DistillationOptions,
         stopSteps: Int?, state: DistillationState, best: [Float]?) {
        (self.trainer, self.selection, self.like, self.options) = (trainer, selection, like, options)
        (self.stopSteps, self.state, self.best) = (stopSteps, state, best)
    }

    func run(progress: (DistillationProgress) -> Void, evaluated: (DistillationEvalScore) -> Void) throws {
        let start = ContinuousClock.now, startStep = trainer.stepsTaken, before = state.trainSeconds
        let startTokens = trainer.history.map(\.tokens).reduce(0, +)
        let session = { start.duration(to: .now) / .seconds(1) }
        let maxSeconds = options.maxMinutes.map { $0 * 60 }
        if selection != nil, state.evals.isEmpty { try evaluate(evaluated) }
        let evalSeconds = session()
        // A clock-bounded run also stops where its schedule ends (it ran faster than its first steps).
        while trainer.stepsTaken < (stopSteps ?? state.scheduleSteps ?? Int.max), before + session() < (maxSeconds ?? .infinity) {
            let report = trainer.step()
            if stopSteps == nil, state.scheduleSteps == nil, trainer.stepsTaken - startStep == Self.probeSteps, let maxSeconds {
                fixSchedule(stepSeconds: (session() - evalSeconds) / Double(Self.probeSteps), evalSeconds: evalSeconds,
                            remainingSeconds: maxSeconds - before - session())
            }
            let tokens = trainer.history.map(\.tokens).reduce(0, +) - startTokens
            let perStep = session() / Double(trainer.stepsTaken - startStep)
            // A clock-bounded run knows its length only after its first steps (0: not yet).
            let total = stopSteps ?? state.scheduleSteps ?? 0
            var eta = perStep * Double(max(0, total - trainer.stepsTaken))
            if let maxSeconds { eta = min(eta, max(0, maxSeconds - before - session())) }
            progress(DistillationProgress(step: report.step, steps: total, loss: report.loss, learningRate: report.learningRate,
                                          tokensPerSecond: Double(tokens) / max(session(), 1e-9), etaSeconds: eta))
            if options.evalEvery > 0, trainer.stepsTaken % options.evalEvery == 0, selection != nil { try evaluate(evaluated) }
            if options.checkpointEvery > 0, trainer.stepsTaken % options.checkpointEvery == 0 {
                try save(trainSeconds: before + session())
            }
        }
        if selection != nil, state.evals.last?.step != trainer.stepsTaken { try evaluate(evaluated) }
        state.trainSeconds = before + session()
        if options.checkpointDirectory != nil { try save(trainSeconds: state.trainSeconds) }
    }

    /// The schedule of a clock-bounded run spans the steps that fit the remaining time at the speed
    /// of its first steps, each evaluation's cost spread over the steps between evaluations.
    private func fixSchedule(stepSeconds: Double, evalSeconds: Double, remainingSeconds: Double) {
        let perStep = stepSeconds + (options.evalEvery > 0 ? evalSeconds / Double(options.evalEvery) : 0)
        let steps = trainer.stepsTaken + max(1, Int(remainingSeconds / max(perStep, 1e-9)))
        state.scheduleSteps = steps
        trainer.setScheduleSteps(steps)
    }

    /// Scores the current parameters; a better (or first) score keeps them as the best.
    private func evaluate(_ evaluated: (DistillationEvalScore) -> Void) throws {
        guard let selection else { return }
        let rate = try selection.wordErrorRate(of: trainer.model, like: like)
        let isBest = state.evals.allSatisfy { rate < $0.wordErrorRate }
        let score = DistillationEvalScore(step: trainer.stepsTaken, wordErrorRate: rate, words: selection.words, isBest: isBest)
        state.evals.append(score)
        if isBest {
            best = trainer.model.parameters.array
            state.bestStep = trainer.stepsTaken
            bestChanged = true
        }
        evaluated(score)
    }

    private var bestChanged = false

    private func save(trainSeconds: Double) throws {
        guard let directory = options.checkpointDirectory else { return }
        state.trainSeconds = trainSeconds
        try state.save(trainer, best: bestChanged ? best : nil, to: directory)
        bestChanged = false
    }
}
