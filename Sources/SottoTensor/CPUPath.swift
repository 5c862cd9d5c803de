import CSottoKernels

extension Compute {
    /// The widest kernel path this CPU runs ("avx512vnni", "avx512", "avx2" or "scalar"), after any
    /// `SOTTO_CPU` cap; benchmarks record it beside their timings.
    public static var cpuPath: String { String(cString: sotto_cpu_path()) }
}
