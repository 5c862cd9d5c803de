import ArgumentParser

@main
struct SottoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sotto",
        abstract: "Whisper speech recognition, small and fast.",
        subcommands: [TranscribeCommand.self, EvalCommand.self, BenchCommand.self, BenchWorkerCommand.self,
                      QuantizeCommand.self, InspectCommand.self, DistillCommand.self, ServeCommand.self, CPUCommand.self])
}
