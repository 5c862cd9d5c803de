import CSottoKernels
import Foundation

/// What this CPU can do and which code runs on it: the processor, the instruction sets the kernels
/// dispatch on, the path each kernel family resolved to, and the OpenBLAS core doing the big products.
/// Benchmarks and verbose runs print it beside their numbers.
public struct CPUReport: Sendable, Codable, Equatable {
    /// `model name` from /proc/cpuinfo ("unknown" elsewhere).
    public var model: String
    /// The instruction-set extensions Sotto cares about that this CPU and OS support.
    public var features: [String]
    /// Kernel family -> the path it runs ("avx512vnni", "avx2", "scalar", ...).
    public var kernelPaths: [String: String]
    /// The OpenBLAS core running the products now, and the one OpenBLAS picked itself at load.
    public var blasCore: String
    public var blasCoreChosenByBLAS: String
    /// The strongest OpenBLAS core this CPU's features allow.
    public var blasCoreBestForCPU: String
    /// True when Sotto replaced OpenBLAS's pick with a stronger core.
    public var blasCoreReplaced: Bool
    /// Why the core was left alone, when it was (empty otherwise).
    public var blasNote: String

    public static func current() -> CPUReport {
        let blas = BLASCore.status
        return CPUReport(
            model: cpuModelName(), features: CPUFeatures.names, kernelPaths: KernelPaths.current,
            blasCore: blas.inUse, blasCoreChosenByBLAS: blas.chosenByBLAS, blasCoreBestForCPU: blas.bestForCPU,
            blasCoreReplaced: blas.replaced, blasNote: blas.note)
    }

    /// One line for logs: "AMD EPYC; avx2 fma ...; weights avx2, int8 gemm avx512vnni; BLAS Cooperlake".
    public var summary: String {
        let paths = kernelPaths.keys.sorted().map { "\($0) \(kernelPaths[$0]!)" }.joined(separator: ", ")
        var blas = "BLAS core \(blasCore)"
        if blasCoreReplaced { blas += " (OpenBLAS picked \(blasCoreChosenByBLAS))" }
        if !blasNote.isEmpty { blas += " (\(blasNote))" }
        return "\(model); \(features.joined(separator: " ")); \(paths); \(blas)"
    }

    /// True when the BLAS core in use is weaker than what the CPU can run (a generic-kernel fallback).
    public var blasCoreIsWeakerThanCPU: Bool {
        BLASCore.rank(blasCore) < BLASCore.rank(blasCoreBestForCPU)
    }

    private static func cpuModelName() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }
}

/// The OpenBLAS core check (CSottoKernels' blas_core.c), run once before the first BLAS call.
public enum BLASCore {
    public struct Status: Sendable {
        public var chosenByBLAS: String
        public var inUse: String
        public var bestForCPU: String
        public var replaced: Bool
        public var note: String
    }

    /// Runs the check on first use and returns its outcome.
    public static var status: Status {
        let s = sotto_blas_core_prepare().pointee
        return Status(chosenByBLAS: String(cString: s.chosen_by_blas), inUse: String(cString: s.in_use),
                      bestForCPU: String(cString: s.cpu_best), replaced: s.replaced != 0,
                      note: String(cString: s.note))
    }

    /// Instruction-set rank of a core name: 1 SSE, 2 AVX, 3 AVX2, 4 AVX-512, 0 unknown.
    public static func rank(_ core: String) -> Int { Int(sotto_blas_core_rank(core)) }
}

/// The kernel paths each family resolves to on this CPU (after any `SOTTO_CPU` cap).
enum KernelPaths {
    static var current: [String: String] {
        let resolved = Int(sotto_weights_resolve_path(Int32(SOTTO_PATH_AUTO.rawValue)))
        let name: (Int) -> String = { path in
            switch path {
            case Int(SOTTO_PATH_AVX512.rawValue): "avx512"
            case Int(SOTTO_PATH_AVX2.rawValue): "avx2"
            default: "scalar"
            }
        }
        let int8: String = switch sotto_int8_resolve(SOTTO_INT8_AUTO) {
        case SOTTO_INT8_AVX512VNNI: "avx512vnni"
        case SOTTO_INT8_AVXVNNI: "avxvnni"
        case SOTTO_INT8_AVX2: "avx2"
        default: "scalar"
        }
        // On an AVX-512 CPU the weight kernels run AVX-512 for single-row int8 and int4 products and
        // AVX2 for the rest (measured faster on Zen 4). Attention: the encoder's blocked kernel runs the
        // widest path (AVX-512 for its 32 registers), bfloat16 for quantized encoders where the CPU has
        // it; decoding steps keep AVX2 (AVX-512 was no faster).
        let weights = resolved == Int(SOTTO_PATH_AVX512.rawValue) ? "avx512 (int4 rows) + avx2" : name(resolved)
        var attention = name(resolved)
        if resolved == Int(SOTTO_PATH_AVX512.rawValue) { attention = "avx512 (encoder) + avx2 (decoding)" }
        if sotto_cpu().pointee.avx512bf16 != 0 { attention += ", bf16 encoder for quantized models" }
        return ["weights": weights, "attention": attention, "elementwise": name(resolved), "int8 gemm": int8]
    }
}

/// Instruction-set extensions the hardware and OS support (cpuid and XCR0; no `SOTTO_CPU` cap).
enum CPUFeatures {
    static var names: [String] {
        let f = sotto_cpu_raw_features()
        let all: [(String, Int32)] = [
            ("avx2", f.avx2), ("fma", f.fma), ("f16c", f.f16c), ("avx512f", f.avx512f), ("avx512dq", f.avx512dq),
            ("avx512bw", f.avx512bw), ("avx512vl", f.avx512vl), ("avx512vnni", f.avx512vnni), ("avxvnni", f.avxvnni),
            ("avx512bf16", f.avx512bf16), ("amx-tile", f.amx_tile), ("amx-bf16", f.amx_bf16), ("amx-int8", f.amx_int8),
        ]
        return all.filter { $0.1 != 0 }.map(\.0)
    }
}
