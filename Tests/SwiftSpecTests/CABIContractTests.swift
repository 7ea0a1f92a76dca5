// SPDX-License-Identifier: GPL-2.0-or-later
//
// The C ABI contract of swiftspec.h, called through the header's prototypes: every
// documented status code is returned by some call (SWIFTSPEC_ERR_INTERNAL has no trigger:
// it is reserved for failures that cannot happen by construction), errors write nothing,
// and strerror covers every code.
import CSwiftSpec
import SwiftSpecCABI
import Testing
#if canImport(Glibc)
import Glibc
#endif

private func code(_ value: Int) -> Int32 { Int32(value) }

/// Records and checks one status.
private func expectStatus(_ status: Int32, _ expected: Int, _ what: String,
                          sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(status == Int32(expected),
          "\(what): got \(status) (\(String(cString: swiftspec_strerror(status))))",
          sourceLocation: sourceLocation)
}

private let nFFT: Int64 = 64, hop: Int64 = 16, length: Int64 = 1024
private let bins = nFFT / 2 + 1
private let frames = 1 + length / hop
private let window: [Double] = (0..<64).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / 64) }
private let signal: [Double] = (0..<1024).map { sin(0.05 * Double($0)) }

/// swiftspec_stft over Swift arrays; nil arrays become NULL pointers.
private func callSTFT(
  input: [Double]? = signal, rows: Int64 = 1, samples: Int64 = length, nFFT n: Int64 = nFFT,
  hop h: Int64 = hop, window w: [Double]? = window, center: Int32 = 1,
  padMode: Int32 = Int32(SWIFTSPEC_PAD_CONSTANT), precision: Int32 = Int32(SWIFTSPEC_PRECISION_EXACT),
  inDtype: Int32 = Int32(SWIFTSPEC_FLOAT64), outDtype: Int32 = Int32(SWIFTSPEC_FLOAT64),
  output: inout [Double], capacity: Int64? = nil, threads: Int32 = 1
) -> Int32 {
  let cap = capacity ?? Int64(output.count / 2)
  return output.withUnsafeMutableBytes { out in
    withOptionalBytes(input) { inp in
      withOptionalPointer(w) { win in
        swiftspec_stft(inp, inDtype, rows, samples, n, h, win, center, padMode, precision,
                       out.baseAddress, outDtype, cap, threads)
      }
    }
  }
}

private func withOptionalBytes<R>(_ array: [Double]?, _ body: (UnsafeRawPointer?) -> R) -> R {
  guard let array else { return body(nil) }
  return array.withUnsafeBytes { body($0.baseAddress) }
}

private func withOptionalPointer<R>(_ array: [Double]?, _ body: (UnsafePointer<Double>?) -> R)
  -> R
{
  guard let array else { return body(nil) }
  return array.withUnsafeBufferPointer { body($0.baseAddress) }
}

@Suite("C ABI contract")
struct CABIContractTests {
  @Test("abi_version, fftw_version and strerror")
  func information() {
    #expect(swiftspec_abi_version() == Int32(SWIFTSPEC_ABI_VERSION))
    #expect(String(cString: swiftspec_fftw_version()).hasPrefix("fftw-"))
    let codes = [SWIFTSPEC_OK, SWIFTSPEC_ERR_INVALID_ARGUMENT, SWIFTSPEC_ERR_NULL_POINTER,
                 SWIFTSPEC_ERR_BUFFER_TOO_SMALL, SWIFTSPEC_ERR_INPUT_TOO_SHORT,
                 SWIFTSPEC_ERR_NON_FINITE_INPUT, SWIFTSPEC_ERR_OUT_OF_MEMORY,
                 SWIFTSPEC_ERR_FFT_PLAN_FAILED, SWIFTSPEC_ERR_SIZE_OVERFLOW,
                 SWIFTSPEC_ERR_INTERNAL].map(code)
    let messages = codes.map { String(cString: swiftspec_strerror($0)) }
    #expect(messages.allSatisfy { !$0.isEmpty })
    #expect(Set(messages).count == codes.count)
    let generic = String(cString: swiftspec_strerror(42))
    #expect(!generic.isEmpty && !messages.contains(generic))
    #expect(String(cString: swiftspec_strerror(-1)) == generic)
    #expect(String(cString: swiftspec_strerror(Int32.max)) == generic)
  }

  @Test("OK: a valid STFT computes the DC bin of a constant as the window's sum")
  func ok() {
    var out = [Double](repeating: 0, count: Int(2 * frames * bins))
    expectStatus(callSTFT(input: [Double](repeating: 1, count: 1024), output: &out),
                 SWIFTSPEC_OK, "stft")
    let t = Int(frames / 2)
    #expect(abs(out[2 * t * Int(bins)] - window.reduce(0, +)) <= 1e-12)
    var count: Int64 = -1
    expectStatus(swiftspec_stft_n_frames(length, nFFT, hop, 1, &count), SWIFTSPEC_OK,
                 "n_frames")
    #expect(count == frames)
  }

  @Test("spectrogram: |X|^power of a constant's DC bin; bad power, NULL, small buffer refused")
  func spectrogram() {
    func call(power: Double, output: UnsafeMutablePointer<Double>?, capacity: Int64) -> Int32 {
      [Double](repeating: 1, count: 1024).withUnsafeBytes { input in
        swiftspec_spectrogram(input.baseAddress, Int32(SWIFTSPEC_FLOAT64), 1, length, nFFT, hop,
                              window, 1, Int32(SWIFTSPEC_PAD_CONSTANT),
                              Int32(SWIFTSPEC_PRECISION_EXACT), power, output,
                              Int32(SWIFTSPEC_FLOAT64), capacity, 1)
      }
    }
    var out = [Double](repeating: 7, count: Int(frames * bins))
    let count = Int64(out.count)
    expectStatus(call(power: 2, output: &out, capacity: count), SWIFTSPEC_OK, "power 2")
    // Output is [bin][frame]: the DC bin of an interior frame is the window's sum, squared.
    let dc = out[Int(frames / 2)]
    #expect(abs(dc - pow(window.reduce(0, +), 2)) <= 1e-9)
    out = [Double](repeating: 7, count: out.count)
    for bad in [0, -1, .nan, .infinity] {
      expectStatus(call(power: bad, output: &out, capacity: count),
                   SWIFTSPEC_ERR_INVALID_ARGUMENT, "power \(bad)")
    }
    expectStatus(call(power: 2, output: nil, capacity: count), SWIFTSPEC_ERR_NULL_POINTER,
                 "NULL output")
    expectStatus(call(power: 2, output: &out, capacity: count - 1),
                 SWIFTSPEC_ERR_BUFFER_TOO_SMALL, "capacity one short")
    #expect(out.allSatisfy { $0 == 7 }, "an error writes nothing")
  }

  @Test("INVALID_ARGUMENT: unknown enum codes, flags other than 0/1, negative counts")
  func invalidArgument() {
    var out = [Double](repeating: 7, count: Int(2 * frames * bins))
    let invalid = SWIFTSPEC_ERR_INVALID_ARGUMENT
    expectStatus(callSTFT(inDtype: 0, output: &out), invalid, "in dtype 0")
    expectStatus(callSTFT(outDtype: 3, output: &out), invalid, "out dtype 3")
    expectStatus(callSTFT(padMode: 6, output: &out), invalid, "pad mode 6")
    expectStatus(callSTFT(precision: 2, output: &out), invalid, "precision 2")
    expectStatus(callSTFT(precision: Int32(SWIFTSPEC_PRECISION_FAST), output: &out), invalid,
                 "fast precision on float64")
    expectStatus(callSTFT(center: 2, output: &out), invalid, "center 2")
    expectStatus(callSTFT(rows: -1, output: &out), invalid, "n_rows -1")
    expectStatus(callSTFT(hop: 0, output: &out), invalid, "hop 0")
    expectStatus(callSTFT(nFFT: 0, output: &out), invalid, "n_fft 0")
    expectStatus(callSTFT(output: &out, threads: -1), invalid, "n_threads -1")
    var nanWindow = window
    nanWindow[3] = .nan
    expectStatus(callSTFT(window: nanWindow, output: &out), invalid, "NaN window")
    #expect(out.allSatisfy { $0 == 7 }, "nothing written")

    var w = [Double](repeating: 7, count: 16)
    expectStatus(swiftspec_get_window(99, 16, 1, &w, 16), invalid, "window code 99")
    expectStatus(swiftspec_get_window(Int32(SWIFTSPEC_WINDOW_HANN), -1, 1, &w, 16), invalid,
                 "n -1")
    expectStatus(swiftspec_dct_matrix(4, 1, 4, 4, &w, 16), invalid, "DCT type 4")
    expectStatus(swiftspec_dct_matrix(2, 3, 4, 4, &w, 16), invalid, "DCT norm 3")
    expectStatus(swiftspec_fft_frequencies(.nan, 8, &w, 16), invalid, "sr NaN")
    var db = [Double](repeating: 7, count: 4)
    let power: [Double] = [1, 2, 3, 4]
    expectStatus(swiftspec_power_to_db(power, Int32(SWIFTSPEC_FLOAT64), 1, 4,
                                       Int32(SWIFTSPEC_REF_SCALAR), 0, 0, 0, 0, &db, 4, 1),
                 invalid, "amin 0")
    expectStatus(swiftspec_power_to_db(power, Int32(SWIFTSPEC_FLOAT64), 1, 4, 2, 0, 1e-10, 0,
                                       0, &db, 4, 1), invalid, "ref mode 2")
    expectStatus(swiftspec_power_to_db(power, Int32(SWIFTSPEC_FLOAT64), 1, 4,
                                       Int32(SWIFTSPEC_REF_MAX), 0, 1e-10, 1, -1, &db, 4, 1),
                 invalid, "top_db -1")
    #expect(db.allSatisfy { $0 == 7 } && w.allSatisfy { $0 == 7 }, "nothing written")
  }

  @Test("NULL_POINTER: required pointers; NULL is fine for an empty input")
  func nullPointer() {
    var out = [Double](repeating: 7, count: Int(2 * frames * bins))
    expectStatus(callSTFT(input: nil, output: &out), SWIFTSPEC_ERR_NULL_POINTER, "audio")
    expectStatus(callSTFT(window: nil, output: &out), SWIFTSPEC_ERR_NULL_POINTER, "window")
    expectStatus(swiftspec_stft(signal, Int32(SWIFTSPEC_FLOAT64), 1, length, nFFT, hop, window,
                                1, 0, 0, nil, Int32(SWIFTSPEC_FLOAT64), 1000, 1),
                 SWIFTSPEC_ERR_NULL_POINTER, "output")
    expectStatus(swiftspec_stft_n_frames(length, nFFT, hop, 1, nil), SWIFTSPEC_ERR_NULL_POINTER,
                 "n_frames")
    expectStatus(swiftspec_get_window(0, 8, 1, nil, 8), SWIFTSPEC_ERR_NULL_POINTER, "window out")
    var bank = [Double](repeating: 0, count: 4 * 33)
    expectStatus(swiftspec_mel_filter_bank(16000, 64, 4, 0, 8000, 0, 1, Int32(SWIFTSPEC_FLOAT64),
                                           &bank, 4 * 33, nil),
                 SWIFTSPEC_ERR_NULL_POINTER, "n_empty")
    expectStatus(callSTFT(input: nil, rows: 0, output: &out), SWIFTSPEC_OK, "no rows, NULL audio")
  }

  @Test("BUFFER_TOO_SMALL: one element short, negative capacity; nothing written")
  func bufferTooSmall() {
    var out = [Double](repeating: 7, count: Int(2 * frames * bins))
    expectStatus(callSTFT(output: &out, capacity: frames * bins - 1),
                 SWIFTSPEC_ERR_BUFFER_TOO_SMALL, "stft")
    expectStatus(callSTFT(output: &out, capacity: -1), SWIFTSPEC_ERR_BUFFER_TOO_SMALL,
                 "stft negative capacity")
    #expect(out.allSatisfy { $0 == 7 })
    var f = [Double](repeating: 7, count: 33)
    expectStatus(swiftspec_fft_frequencies(16000, 64, &f, 32), SWIFTSPEC_ERR_BUFFER_TOO_SMALL,
                 "fft_frequencies")
    #expect(f.allSatisfy { $0 == 7 })
    var empty: Int64 = 0
    expectStatus(swiftspec_mel_filter_bank(16000, 1 << 40, 1, 0, 8000, 0, 1,
                                           Int32(SWIFTSPEC_FLOAT64), &f, 33, &empty),
                 SWIFTSPEC_ERR_BUFFER_TOO_SMALL, "mel bank for a huge n_fft")
  }

  @Test("INPUT_TOO_SHORT: no frame fits")
  func inputTooShort() {
    var count: Int64 = 0
    expectStatus(swiftspec_stft_n_frames(10, 64, 16, 0, &count), SWIFTSPEC_ERR_INPUT_TOO_SHORT,
                 "uncentred")
    expectStatus(swiftspec_stft_n_frames(0, 63, 16, 1, &count), SWIFTSPEC_ERR_INPUT_TOO_SHORT,
                 "odd n_fft, empty")
    var out = [Double](repeating: 7, count: Int(2 * frames * bins))
    expectStatus(callSTFT(samples: 63, center: 0, output: &out), SWIFTSPEC_ERR_INPUT_TOO_SHORT,
                 "stft uncentred")
  }

  @Test("NON_FINITE_INPUT: NaN or infinite audio, float32 and float64")
  func nonFinite() {
    var out = [Double](repeating: 7, count: Int(2 * frames * bins))
    for bad in [Double.nan, .infinity, -.infinity] {
      var audio = signal
      audio[777] = bad
      expectStatus(callSTFT(input: audio, output: &out), SWIFTSPEC_ERR_NON_FINITE_INPUT, "\(bad)")
    }
    var audio32 = signal.map { Float($0) }
    audio32[0] = .nan
    var out32 = [Float](repeating: 7, count: Int(2 * frames * bins))
    let status = audio32.withUnsafeBytes { inp in
      out32.withUnsafeMutableBytes { o in
        swiftspec_stft(inp.baseAddress, Int32(SWIFTSPEC_FLOAT32), 1, length, nFFT, hop, window,
                       1, 0, 0, o.baseAddress, Int32(SWIFTSPEC_FLOAT32), frames * bins, 1)
      }
    }
    expectStatus(status, SWIFTSPEC_ERR_NON_FINITE_INPUT, "float32 NaN")
    #expect(out.allSatisfy { $0 == 7 } && out32.allSatisfy { $0 == 7 })
  }

  @Test("SIZE_OVERFLOW: size products beyond int64, and n_fft = 2^62")
  func sizeOverflow() {
    var out = [Double](repeating: 7, count: Int(2 * frames * bins))
    expectStatus(callSTFT(rows: 1 << 40, samples: 1 << 40, output: &out),
                 SWIFTSPEC_ERR_SIZE_OVERFLOW, "n_rows * n_samples")
    expectStatus(callSTFT(rows: 1 << 30, samples: 1 << 31, output: &out),
                 SWIFTSPEC_ERR_SIZE_OVERFLOW, "bytes of the audio")
    expectStatus(callSTFT(nFFT: 1 << 62, output: &out), SWIFTSPEC_ERR_SIZE_OVERFLOW,
                 "n_fft 2^62")
    var db = [Double](repeating: 7, count: 4)
    expectStatus(swiftspec_power_to_db(db, Int32(SWIFTSPEC_FLOAT64), 1, 1 << 61, 0, 0, 1e-10,
                                       0, 0, &db, 4, 1), SWIFTSPEC_ERR_SIZE_OVERFLOW,
                 "power_to_db bytes")
    var n: Int64 = 0
    expectStatus(swiftspec_istft_length(1 << 40, 64, 1 << 40, 1, -1, &n),
                 SWIFTSPEC_ERR_SIZE_OVERFLOW, "istft length")
  }

  @Test("FFT_PLAN_FAILED: n_fft beyond FFTW's int, before the window is read")
  func fftPlanFailed() {
    var out = [Double](repeating: 7, count: Int(2 * frames * bins))
    expectStatus(callSTFT(nFFT: 1 << 31, output: &out), SWIFTSPEC_ERR_FFT_PLAN_FAILED, "stft")
    var y = [Double](repeating: 7, count: 16)
    let status = y.withUnsafeMutableBytes { o in
      swiftspec_istft(nil, Int32(SWIFTSPEC_FLOAT64), 0, 0, 0, 1 << 31, 16, window, 0, 4,
                      o.baseAddress, 16, 1)
    }
    expectStatus(status, SWIFTSPEC_ERR_FFT_PLAN_FAILED, "istft")
  }

  @Test("OUT_OF_MEMORY: a failed scratch allocation is a status, not a crash")
  func outOfMemory() {
    expectStatus(Self.outOfMemoryStatus, SWIFTSPEC_ERR_OUT_OF_MEMORY,
                 "mfcc of 2^23 mel bands under RLIMIT_AS")
  }

  @Test("values that used to trap now return a status: huge hops, empty batches")
  func formerTraps() {
    var count: Int64 = 0
    expectStatus(swiftspec_stft_n_frames(10, 4, Int64.max, 1, &count), SWIFTSPEC_OK, "hop max")
    #expect(count == 1)
    expectStatus(swiftspec_stft_n_frames((1 << 62) + 10, 4, 1 << 62, 1, &count), SWIFTSPEC_OK,
                 "huge signal and hop")
    var y = [Double](repeating: 7, count: 1)
    let status = y.withUnsafeMutableBytes { o in
      swiftspec_istft(nil, Int32(SWIFTSPEC_FLOAT64), 0, 2, 33, 64, 1 << 40, window, 0, -1,
                      o.baseAddress, 0, 1)
    }
    expectStatus(status, SWIFTSPEC_OK, "istft, no rows, huge hop")
    var bank: [Double] = [7]
    var empty: Int64 = -1
    expectStatus(swiftspec_mel_filter_bank(16000, 1 << 62, 0, 0, 8000, 0, 1,
                                           Int32(SWIFTSPEC_FLOAT64), &bank, 0, &empty),
                 SWIFTSPEC_OK, "mel bank, no filters, huge n_fft")
    #expect(empty == 0)
    var db: [Double] = [7]
    expectStatus(swiftspec_power_to_db(db, Int32(SWIFTSPEC_FLOAT64), 1, 1 << 61, 0, 0, 1e-10, 0,
                                       0, &db, 1, 1), SWIFTSPEC_ERR_SIZE_OVERFLOW, "power_to_db")
  }

  @Test("every status code of swiftspec.h is returned by some call (INTERNAL is reserved)")
  func everyStatusCode() {
    var out = [Double](repeating: 7, count: Int(2 * frames * bins))
    var nanAudio = signal
    nanAudio[5] = .nan
    var count: Int64 = 0
    var returned: Set<Int32> = []
    func record(_ status: Int32, _ expected: Int, _ what: String) {
      expectStatus(status, expected, what)
      returned.insert(status)
    }
    record(callSTFT(output: &out), SWIFTSPEC_OK, "valid stft")
    record(callSTFT(padMode: 42, output: &out), SWIFTSPEC_ERR_INVALID_ARGUMENT, "pad mode 42")
    record(callSTFT(window: nil, output: &out), SWIFTSPEC_ERR_NULL_POINTER, "NULL window")
    record(callSTFT(output: &out, capacity: 1), SWIFTSPEC_ERR_BUFFER_TOO_SMALL, "capacity 1")
    record(swiftspec_stft_n_frames(10, 64, 16, 0, &count), SWIFTSPEC_ERR_INPUT_TOO_SHORT,
           "10 samples uncentred")
    record(callSTFT(input: nanAudio, output: &out), SWIFTSPEC_ERR_NON_FINITE_INPUT, "NaN audio")
    record(callSTFT(nFFT: 1 << 31, output: &out), SWIFTSPEC_ERR_FFT_PLAN_FAILED, "n_fft 2^31")
    record(callSTFT(rows: 1 << 40, samples: 1 << 40, output: &out), SWIFTSPEC_ERR_SIZE_OVERFLOW,
           "rows * samples")
    record(Self.outOfMemoryStatus, SWIFTSPEC_ERR_OUT_OF_MEMORY, "capped mfcc")
    let documented: Set<Int32> = Set([
      SWIFTSPEC_OK, SWIFTSPEC_ERR_INVALID_ARGUMENT, SWIFTSPEC_ERR_NULL_POINTER,
      SWIFTSPEC_ERR_BUFFER_TOO_SMALL, SWIFTSPEC_ERR_INPUT_TOO_SHORT,
      SWIFTSPEC_ERR_NON_FINITE_INPUT, SWIFTSPEC_ERR_OUT_OF_MEMORY,
      SWIFTSPEC_ERR_FFT_PLAN_FAILED, SWIFTSPEC_ERR_SIZE_OVERFLOW,
    ].map(code))
    #expect(returned == documented, "missing: \(documented.subtracting(returned).sorted())")
    #expect(!returned.contains(code(SWIFTSPEC_ERR_INTERNAL)))
  }

  /// No input of bounded size makes the engine allocate without bound, so OUT_OF_MEMORY
  /// is provoked in a forked child whose address space is capped (RLIMIT_AS) 264 MB above
  /// its size: mfcc of two frames with 2^23 mel bands (n_fft = 1) packs its basis in about
  /// 200 MB, then cannot get the 128 MB block of mel columns (2^23 bands x 4 frames of a
  /// block x 4 bytes; the margins either side leave room for the allocator's slack).
  /// Returns the child's status, or -1000 - signal if the child died (a watchdog alarm
  /// ends it after 60 s).
  static let outOfMemoryStatus = mfccUnderAddressSpaceLimit()  // computed once

  static func mfccUnderAddressSpaceLimit() -> Int32 {
    let nMels = 1 << 23
    let basis = [Float](repeating: 0, count: nMels)
    let audio: [Float] = [0, 0]  // two frames: 2^24 log-mel values, too many to keep
    let one: [Double] = [1]
    var out: [Float] = [7]
    func call(_ mels: Int) -> Int32 {
      audio.withUnsafeBytes { a in
        basis.withUnsafeBytes { b in
          out.withUnsafeMutableBytes { o in
            swiftspec_mfcc(a.baseAddress, Int32(SWIFTSPEC_FLOAT32), 1, 2, 1, 1, one, 0, 0, 0, 2,
                           b.baseAddress, Int64(mels), 1e-10, 1, 80, nil, 0, o.baseAddress,
                           Int32(SWIFTSPEC_FLOAT32), 1, 1)
          }
        }
      }
    }
    _ = call(16)  // warm up the code paths in this process before forking
    var text = [CChar](repeating: 0, count: 128)
    guard let file = fopen("/proc/self/statm", "r") else { return -1 }
    _ = fgets(&text, 128, file)
    fclose(file)
    let pages = Int(String(cString: text).split(separator: " ").first ?? "") ?? 0
    let size = pages * sysconf(Int32(_SC_PAGESIZE))
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return -2 }
    let pid = fork()
    if pid == 0 {
      alarm(60)
      var limit = rlimit(rlim_cur: rlim_t(size + (264 << 20)), rlim_max: rlim_t.max)
      _ = setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
      var status = call(nMels)
      _ = write(fds[1], &status, 4)
      _exit(out == [7] ? 0 : 1)  // 1: something was written
    }
    close(fds[1])
    defer { close(fds[0]) }
    var status: Int32 = -3
    let got = read(fds[0], &status, 4)
    var wait: Int32 = 0
    waitpid(pid, &wait, 0)
    let signal = wait & 0x7f
    if signal != 0 { return -1000 - signal }
    if got != 4 || (wait >> 8) & 0xff != 0 { return -4 }
    return status
  }
}
