import Foundation
import SottoModel

/// Everything a training run is configured by (recorded in its checkpoints).
package struct TrainingOptions: Sendable, Codable, Equatable {
    package var schedule: LearningRateSchedule
    package var adamW = AdamWOptions()
    package var loss = LossWeights()
    /// Examples per forward/backward.
    package var batchSize = 4
    /// Forward/backward passes whose gradients are summed into one optimizer step.
    package var accumulationSteps = 1
    package var seed: UInt64 = 0
    package var frozen: ParameterGroups = [.encoder]
    /// Input token used to pad shorter rows (any valid id: padded positions are never attended to).
    package var padToken = 50256

    package init(schedule: LearningRateSchedule) { self.schedule = schedule }
}

/// One optimizer step's measurements.
package struct StepReport: Sendable, Codable, Equatable {
    package var step: Int
    package var loss: Double
    package var crossEntropy: Double
    package var kl: Double
    /// The unweighted encoder-output MSE (0 without that term).
    package var encoderMSE = 0.0
    package var learningRate: Double
    package var gradientNorm: Double
    /// Target tokens the loss counted.
    package var tokens: Int
}

/// The training loop's state: the student, the optional teacher (KL targets), the data order, the
/// optimizer. `step()` runs `accumulationSteps` batches and one AdamW update.
package final class Trainer {
    package let model: TrainingModel<Float>
    package let teacher: TrainingModel<Float>?
    package let examples: [TrainingExample]
    package private(set) var options: TrainingOptions
    package let optimizer: AdamW
    package let order: ExampleOrder
    /// Examples consumed so far (epochs concatenated).
    package internal(set) var cursor = 0
    package internal(set) var history: [StepReport] = []
    private var decoder: DecoderActivations<Float>?
    private var teacherDecoder: DecoderActivations<Float>?
    private var encoder: EncoderActivations<Float>?

    package init(model: TrainingModel<Float>, teacher: TrainingModel<Float>? = nil, examples: [TrainingExample],
                 options: TrainingOptions) {
        precondition(model.frozen == options.frozen, "the model's frozen groups differ from the options'")
        precondition(options.loss.kl == 0 || teacher != nil, "a KL weight needs a teacher")
        precondition(options.loss.encoderMSE == 0 || !options.frozen.contains(.encoder), "an encoder MSE needs an encoder that trains")
        (self.model, self.teacher, self.examples, self.options) = (model, teacher, examples, options)
        optimizer = AdamW(count: model.layout.totalCount, options: options.adamW)
        order = ExampleOrder(count: examples.count, seed: options.seed)
    }

    package var stepsTaken: Int { optimizer.step }

    /// Sets the learning-rate schedule's length: a run bounded by wall-clock time learns it from its
    /// first steps' speed (checkpoints record it, so a resume keeps it).
    package func setScheduleSteps(_ steps: Int) {
        options.schedule.totalSteps = steps
    }

    /// One optimizer step.
    @discardableResult
    package func step() -> StepReport {
        model.gradients.zero()
        var (ce, kl, mse, total, tokens) = (0.0, 0.0, 0.0, 0.0, 0)
        for _ in 0..<options.accumulationSteps {
            let picked = (0..<options.batchSize).map { examples[order.index(at: cursor + $0)] }
            cursor += options.batchSize
            let loss = accumulate(TrainingBatch(picked, padToken: options.padToken))
            ce += loss.crossEntropy
            kl += loss.kl
            mse += loss.encoderMSE
            total += loss.total
            tokens += loss.rows
        }
        let scale = 1 / Double(options.accumulationSteps)
        let rate = options.schedule.rate(at: optimizer.step)
        let norm = optimizer.update(model, learningRate: rate)
        let report = StepReport(step: optimizer.step, loss: total * scale, crossEntropy: ce * scale, kl: kl * scale,
                                encoderMSE: mse * scale, learningRate: rate, gradientNorm: norm, tokens: tokens)
        history.append(report)
        return report
    }

    /// Steps until `steps` optimizer steps have been taken in all, saving a resumable checkpoint to
    /// `checkpoint` every `checkpointEvery` steps (0: never); `progress` sees every step's report.
    package func run(steps: Int, checkpointEvery: Int = 0, checkpoint: URL? = nil,
                     progress: (StepReport) -> Void = { _ in }) throws {
        while stepsTaken < steps {
            progress(step())
            if checkpointEvery > 0, let checkpoint, stepsTaken % checkpointEvery == 0 {
                try TrainingCheckpoint.save(self, to: checkpoint)
            }
        }
    }

    /// Forward, loss and backward of one batch; gradients accumulate (scaled by 1 / accumulation).
    /// With only the encoder-MSE term, the decoder never runs: a step is the encoder's forward and backward.
    package func accumulate(_ batch: TrainingBatch) -> LossValues {
        let (audio, audioFrames) = audioFeatures(batch)
        let trainsEncoder = !options.frozen.contains(.encoder) && encoder != nil && batch.examples[0].mel != nil
        if trainsEncoder { encoder!.outputGradient.zero() }
        let gradientScale = 1 / Double(options.accumulationSteps)
        var loss = LossValues(crossEntropy: 0, kl: 0, total: 0, rows: 0)
        if options.loss.usesDecoder {
            loss = decoderLoss(batch, audio: audio, audioFrames: audioFrames, daudio: trainsEncoder ? encoder!.outputGradient : nil, gradientScale: gradientScale)
        }
        if options.loss.encoderMSE > 0 {
            precondition(trainsEncoder && batch.examples.allSatisfy { $0.teacherAudio != nil },
                         "the encoder MSE needs mel windows and the teacher's encoder output")
            let teacherAudio = batch.examples.flatMap { $0.teacherAudio!.floats }
            precondition(teacherAudio.count == batch.batch * audioFrames * model.dims.nAudioState,
                         "the encoder MSE compares whole windows: the student's context must be the teacher's")
            loss.encoderMSE = EncoderMSEOp.forwardBackward(
                dout: encoder!.outputGradient.pointer, student: audio.pointer, teacher: teacherAudio, count: teacherAudio.count,
                weight: options.loss.encoderMSE, gradientScale: gradientScale)
            loss.total += options.loss.encoderMSE * loss.encoderMSE
        }
        if trainsEncoder { model.encoderBackward(encoder!) }
        return loss
    }

    /// The decoder's forward, CE/KL loss and backward; d(audio) accumulates into `daudio` when the encoder trains.
    private func decoderLoss(_ batch: TrainingBatch, audio: TrainBuffer<Float>, audioFrames: Int, daudio: TrainBuffer<Float>?,
                             gradientScale: Double) -> LossValues {
        let a = activations(&decoder, batch, audioFrames: audioFrames)
        model.decoderForward(a, tokens: batch.tokens, audio: audio)
        var teacherLogits: TrainBuffer<Float>?
        if let teacher, options.loss.kl > 0 {
            // The teacher hears its own cached output of whole windows, or the student's features.
            let ownAudio = batch.examples.allSatisfy { $0.teacherAudio != nil }
            let t = activations(&teacherDecoder, batch, audioFrames: ownAudio ? teacher.dims.nAudioCtx : audioFrames, model: teacher)
            teacher.decoderForward(t, tokens: batch.tokens,
                                   audio: ownAudio ? TrainBuffer(batch.examples.flatMap { $0.teacherAudio!.floats }) : audio)
            teacherLogits = t.logits
        }
        let loss = withExtendedLifetime(teacherLogits) {
            LossOp.forwardBackward(dlogits: a.logits.pointer, logits: a.logits.pointer, targets: batch.targets,
                                   teacher: teacherLogits?.pointer, rows: batch.batch * batch.length,
                                   vocab: model.dims.nVocab, weights: options.loss, gradientScale: gradientScale)
        }
        model.decoderBackward(a, audio: audio, daudio: daudio)
        return loss
    }

    /// The batch's audio rows `[batch · frames, nAudioState]` and `frames`, the encoder positions per
    /// example: cached features of whole windows, or the encoder run on the mel. Mel windows shorter
    /// than 30 s (a student that attends to its audio alone) are zero-padded to the batch's longest.
    private func audioFeatures(_ batch: TrainingBatch) -> (TrainBuffer<Float>, frames: Int) {
        let d = model.dims
        // Cached features stand in for the encoder only while it is frozen.
        if options.frozen.contains(.encoder), batch.examples.allSatisfy({ $0.audio != nil }) {
            return (TrainBuffer(batch.examples.flatMap { $0.audio!.floats }), d.nAudioCtx)
        }
        if encoder == nil || encoder!.capacityBatch < batch.batch {
            encoder = EncoderActivations(model, batch: batch.batch, forwardOnly: options.frozen.contains(.encoder))
        }
        let melFrames = batch.examples.map { example -> Int in
            let count = example.mel?.count ?? 0
            precondition(count > 0 && count % (2 * d.nMels) == 0 && count <= d.nMels * d.nFrames,
                         "every example needs a mel window of an even number of frames, at most \(d.nFrames)")
            return count / d.nMels
        }
        let frames = melFrames.max()! / 2
        encoder!.prepare(batch: batch.batch, audioFrames: frames)
        var mel = [Float](repeating: 0, count: batch.batch * d.nMels * 2 * frames)
        for (b, example) in batch.examples.enumerated() {
            let own = melFrames[b]
            for m in 0..<d.nMels {
                let row = (b * d.nMels + m) * 2 * frames
                for t in 0..<own { mel[row + t] = example.mel![m * own + t] }
            }
        }
        model.encoderForward(encoder!, mel: mel)
        return (encoder!.output, frames)
    }

    private func activations(_ cached: inout DecoderActivations<Float>?, _ batch: TrainingBatch, audioFrames: Int,
                             model: TrainingModel<Float>? = nil) -> DecoderActivations<Float> {
        if let a = cached, a.capacityBatch >= batch.batch, a.capacityLength >= batch.length {
            a.prepare(batch: batch.batch, length: batch.length, audioFrames: audioFrames)
            return a
        }
        let longest = min(self.model.dims.nTextCtx, max(batch.length, examples.map(\.tokens.count).max() ?? 0))
        let a = DecoderActivations(model ?? self.model, batch: max(batch.batch, options.batchSize), length: longest)
        a.prepare(batch: batch.batch, length: batch.length, audioFrames: audioFrames)
        cached = a
        return a
    }
}
