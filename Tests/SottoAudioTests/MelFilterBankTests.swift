import Testing
import SottoAudio

@Suite("MelFilterBank")
struct MelFilterBankTests {
    @Test("triangles cover 0-8 kHz with Slaney area normalisation", arguments: [80, 128])
    func shape(nMels: Int) {
        let bank = MelFilterBank(nMels: nMels)
        #expect(bank.binCount == 201)
        #expect(bank.weights.count == nMels)
        #expect(bank.weights.allSatisfy { row in !row.isEmpty && row.allSatisfy { $0 >= 0 } })
        // Filters advance up the spectrum and the last one reaches the top bins.
        #expect(bank.firstBin == bank.firstBin.sorted())
        #expect(bank.firstBin[nMels - 1] + bank.weights[nMels - 1].count > 190)
        // Slaney normalisation: area (sum of weights x 40 Hz bin spacing) is about 1 for wide filters.
        let area = bank.weights[nMels - 1].reduce(0, +) * 40
        #expect(abs(area - 1) < 0.1, "area \(area)")
    }

    @Test("first 80-bin filter matches faster-whisper's get_mel_filters values")
    func firstFilterValues() {
        // mel_filters(16000, 400, 80)[0, 0:3] from faster-whisper 1.2.1 (float32).
        let bank = MelFilterBank(nMels: 80)
        #expect(bank.firstBin[0] == 1)
        #expect(abs(bank.weights[0][0] - 0.02486259) < 1e-7, "\(bank.weights[0])")
    }
}
