// SPDX-License-Identifier: GPL-2.0-or-later
//
// Argument checks and the one place where errors become status codes.
import CForkGate
import CSwiftSpec
import SwiftSpec

/// Runs `body` inside the fork gate (see fork_gate.c), mapping its outcome to a status
/// code of swiftspec.h.
func withStatus(_ body: () throws(SpectrogramError) -> Void) -> Int32 {
  let entered = sspec_fork_gate_enter() == 0
  defer { if entered { sspec_fork_gate_leave() } }
  do {
    try body()
    return Int32(SWIFTSPEC_OK)
  } catch {
    switch error {
    case .invalidArgument: return Int32(SWIFTSPEC_ERR_INVALID_ARGUMENT)
    case .nullPointer: return Int32(SWIFTSPEC_ERR_NULL_POINTER)
    case .bufferTooSmall: return Int32(SWIFTSPEC_ERR_BUFFER_TOO_SMALL)
    case .inputTooShort: return Int32(SWIFTSPEC_ERR_INPUT_TOO_SHORT)
    case .nonFiniteInput: return Int32(SWIFTSPEC_ERR_NON_FINITE_INPUT)
    case .outOfMemory: return Int32(SWIFTSPEC_ERR_OUT_OF_MEMORY)
    case .fftPlanFailed: return Int32(SWIFTSPEC_ERR_FFT_PLAN_FAILED)
    case .sizeOverflow: return Int32(SWIFTSPEC_ERR_SIZE_OVERFLOW)
    }
  }
}

/// Static, immortal messages for swiftspec_strerror.
func message(for status: Int32) -> UnsafePointer<CChar> {
  let text: StaticString
  switch Int(status) {
  case Int(SWIFTSPEC_OK): text = "success"
  case Int(SWIFTSPEC_ERR_INVALID_ARGUMENT): text = "invalid argument"
  case Int(SWIFTSPEC_ERR_NULL_POINTER): text = "null pointer"
  case Int(SWIFTSPEC_ERR_BUFFER_TOO_SMALL): text = "output buffer too small"
  case Int(SWIFTSPEC_ERR_INPUT_TOO_SHORT): text = "input too short for one frame"
  case Int(SWIFTSPEC_ERR_NON_FINITE_INPUT): text = "input is not finite everywhere"
  case Int(SWIFTSPEC_ERR_OUT_OF_MEMORY): text = "out of memory"
  case Int(SWIFTSPEC_ERR_FFT_PLAN_FAILED): text = "FFTW could not create a plan"
  case Int(SWIFTSPEC_ERR_SIZE_OVERFLOW): text = "size computation overflows"
  case Int(SWIFTSPEC_ERR_INTERNAL): text = "internal error"
  default: text = "unknown status code"
  }
  return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// The element types a buffer may have.
enum SampleType: Equatable {
  case float32, float64

  init(_ code: Int32) throws(SpectrogramError) {
    switch Int(code) {
    case Int(SWIFTSPEC_FLOAT32): self = .float32
    case Int(SWIFTSPEC_FLOAT64): self = .float64
    default: throw .invalidArgument("unknown dtype code \(code)")
    }
  }

  var byteSize: Int { self == .float32 ? 4 : 8 }
}

/// A count that must be >= 0.
func size(_ value: Int64, _ name: String) throws(SpectrogramError) -> Int {
  guard value >= 0, let result = Int(exactly: value) else {
    throw .invalidArgument("\(name)=\(value) must be non-negative")
  }
  return result
}

/// A count that must be > 0.
func positive(_ value: Int64, _ name: String) throws(SpectrogramError) -> Int {
  guard value > 0, let result = Int(exactly: value) else {
    throw .invalidArgument("\(name)=\(value) must be a positive integer")
  }
  return result
}

/// An FFT length: > 0, its `n_fft` doubles of window addressable (else `.sizeOverflow`),
/// and within FFTW's `int` sizes (else `.fftPlanFailed`), checked before any buffer of
/// that length is read or allocated.
func fftLength(_ value: Int64) throws(SpectrogramError) -> Int {
  let n = try positive(value, "n_fft")
  _ = try checkedProduct(n, MemoryLayout<Double>.stride)
  guard n <= Int(Int32.max) else { throw .fftPlanFailed(size: n) }
  return n
}

func flag(_ value: Int32, _ name: String) throws(SpectrogramError) -> Bool {
  guard value == 0 || value == 1 else { throw .invalidArgument("\(name)=\(value) must be 0 or 1") }
  return value == 1
}

/// 0 means one thread per online CPU; at most 1024.
func threadCount(_ value: Int32) throws(SpectrogramError) -> Int {
  guard value >= 0 else { throw .invalidArgument("n_threads=\(value) must be non-negative") }
  // More threads than this only costs thread creation (the Python layer caps it too).
  return value == 0 ? onlineCPUCount : min(Int(value), 1024)
}

/// A non-null input of `count` elements; a null pointer is accepted only when empty.
func inputBuffer<T>(_ pointer: UnsafePointer<T>?, count: Int, as _: T.Type = T.self)
  throws(SpectrogramError) -> UnsafePointer<T>
{
  if let pointer { return pointer }
  guard count == 0 else { throw .nullPointer }
  return emptyBuffer.assumingMemoryBound(to: T.self)
}

func inputBuffer<T>(_ pointer: UnsafeRawPointer?, count: Int, as _: T.Type)
  throws(SpectrogramError) -> UnsafePointer<T>
{
  try rawInput(pointer, bytes: try checkedProduct(count, MemoryLayout<T>.stride))
    .assumingMemoryBound(to: T.self)
}

func rawInput(_ pointer: UnsafeRawPointer?, bytes: Int) throws(SpectrogramError)
  -> UnsafeRawPointer
{
  if let pointer { return pointer }
  guard bytes == 0 else { throw .nullPointer }
  return emptyBuffer
}

/// Stands in for a null pointer to an empty input; never read.
nonisolated(unsafe) private let emptyBuffer = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 16))

/// A non-null output with room for `needed` elements.
func outputBuffer<T>(_ pointer: UnsafeMutablePointer<T>?, capacity: Int64, needed: Int)
  throws(SpectrogramError) -> UnsafeMutablePointer<T>
{
  guard let pointer else { throw .nullPointer }
  guard capacity >= 0, Int(capacity) >= needed else { throw .bufferTooSmall(needed: needed) }
  return pointer
}

func outputBuffer<T>(
  _ pointer: UnsafeMutableRawPointer?, capacity: Int64, needed: Int, as _: T.Type
) throws(SpectrogramError) -> UnsafeMutablePointer<T> {
  try outputBuffer(pointer?.assumingMemoryBound(to: T.self), capacity: capacity, needed: needed)
}

/// `count` finite window samples.
func finiteWindow(_ window: UnsafePointer<Double>?, count: Int) throws(SpectrogramError)
  -> [Double]
{
  // A window of `count` doubles must fit in memory before it is copied.
  _ = try checkedProduct(count, MemoryLayout<Double>.stride)
  let values = Array(UnsafeBufferPointer(start: try inputBuffer(window, count: count), count: count))
  guard values.allSatisfy(\.isFinite) else {
    throw .invalidArgument("window contains a non-finite value")
  }
  return values
}

/// The inputs whose values `checkFinite` scans.
enum ScannedInput {
  /// Audio: a non-finite sample has its own status code, SWIFTSPEC_ERR_NON_FINITE_INPUT.
  case audio
  /// A mel filter bank: a non-finite weight is an invalid argument.
  case melBasis

  /// The error for a non-finite value in this input.
  var nonFiniteError: SpectrogramError {
    switch self {
    case .audio: .nonFiniteInput
    case .melBasis: .invalidArgument("mel_basis is not finite everywhere")
    }
  }
}

/// Throws `input.nonFiniteError` unless every value is finite.
///
/// A batch of audio is scanned on `threads` threads: done on one, this pass over the
/// whole input would be the serial part that keeps two threads from running twice as fast.
func checkFinite(_ data: UnsafeRawPointer, type: SampleType, count: Int, input: ScannedInput,
                 threads: Int = 1) throws(SpectrogramError)
{
  try parallelChunks(count: count, threads: threads, minimumChunk: 1 << 18) {
    (piece) throws(SpectrogramError) in
    let finite: Bool
    switch type {
    case .float32:
      finite = allFinite(data.assumingMemoryBound(to: Float.self) + piece.lowerBound, piece.count)
    case .float64:
      finite = allFinite(data.assumingMemoryBound(to: Double.self) + piece.lowerBound, piece.count)
    }
    guard finite else { throw input.nonFiniteError }
  }
}

private func allFinite<T: BinaryFloatingPoint>(_ values: UnsafePointer<T>, _ count: Int) -> Bool
where T.RawSignificand: FixedWidthInteger {
  // A value is NaN or infinite iff its exponent bits are all ones. The running maximum
  // of the exponent fields vectorises; an early exit per element would not.
  let exponentMask = (T.RawSignificand(1) << T.exponentBitCount - 1) << T.significandBitCount
  var largest: T.RawSignificand = 0
  for i in 0..<count {
    largest = max(largest, T.RawSignificand(truncatingIfNeeded: values[i].exponentBitPattern) << T.significandBitCount)
  }
  return largest != exponentMask
}

func decibelOptions(
  _ refMode: Int32, _ refDB: Double, _ amin: Double, _ hasTopDB: Int32, _ topDB: Double
) throws(SpectrogramError) -> DecibelOptions {
  let reference: DecibelReference
  switch Int(refMode) {
  case Int(SWIFTSPEC_REF_SCALAR):
    guard refDB.isFinite else { throw .invalidArgument("ref_db=\(refDB) must be finite") }
    reference = .decibels(refDB)
  case Int(SWIFTSPEC_REF_MAX): reference = .maximum
  default: throw .invalidArgument("unknown ref mode code \(refMode)")
  }
  guard amin > 0, amin.isFinite else {
    throw .invalidArgument("amin=\(amin) must be strictly positive")
  }
  return try DecibelOptions(
    reference: reference, amin: amin, topDB: try flag(hasTopDB, "has_top_db") ? topDB : nil)
}
