// swift-tools-version:6.0
// SPDX-License-Identifier: GPL-2.0-or-later
import PackageDescription

// The unsafe flags (those SwiftPM forbids in a package used by version) are all on
// SwiftSpecCABI, which only the C library product `swiftspec` contains, so a Swift
// package can depend on the SwiftSpecKit product by version. Such a package links FFTW
// itself (linkerSettings: [.linkedLibrary("fftw3"), .linkedLibrary("fftw3f")]): were the
// SwiftSpec target to say so, libswiftspec.so would link the shared FFTW that -lfftw3
// finds before the static one it needs.

let package = Package(
  name: "swiftspec",
  products: [
    // MARK: - Public API
    .library(name: "swiftspec", type: .dynamic, targets: ["SwiftSpecCABI"]),
    // The Swift API (named apart from `swiftspec` above, which differs only in case).
    .library(name: "SwiftSpecKit", targets: ["SwiftSpec"]),
  ],
  targets: [
    // MARK: - Implementation details
    .systemLibrary(name: "CFFTW", path: "Sources/CFFTW"),
    .target(name: "CSwiftSpec", path: "Sources/CSwiftSpec"),
    .target(name: "CForkGate", path: "Sources/CForkGate"),
    // Kernels compiled per SIMD level (kernels.c, which turns FMA contraction off itself).
    .target(name: "CKernels", path: "Sources/CKernels"),

    // MARK: - Core and C ABI
    .target(name: "SwiftSpec", dependencies: ["CFFTW", "CKernels"]),
    .target(
      name: "SwiftSpecCABI",
      dependencies: ["SwiftSpec", "CSwiftSpec", "CForkGate"],
      exclude: ["exports.map"],
      linkerSettings: [
        // FFTW and the Swift runtime (-static-stdlib, from the Makefile and setup.py) are
        // linked statically so that libswiftspec.so runs on a machine with neither
        // installed; --exclude-libs keeps FFTW's symbols private, so another FFTW in the
        // same process (numpy, torch) never shares our planner state.
        .unsafeFlags([
          "-Xlinker", "-l:libfftw3.a", "-Xlinker", "-l:libfftw3f.a",
          "-Xlinker", "--exclude-libs=ALL",
        ]),
        // Unresolved symbols fail the build instead of the first dlopen.
        .unsafeFlags(["-Xlinker", "-z", "-Xlinker", "defs"]),
        // lld, not gold: gold left two Swift symbols that the C ABI module reaches through
        // the GOT (SpectrogramError's type metadata and its Error conformance) in the
        // dynamic symbol table despite exports.map (bound locally, but listed by nm -D).
        .unsafeFlags(["-use-ld=lld"]),
        // Only swiftspec_* is exported (see exports.map).
        .unsafeFlags([
          "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/SwiftSpecCABI/exports.map",
        ]),
      ]
    ),

    // MARK: - Unit test bundles
    .testTarget(name: "SwiftSpecTests", dependencies: ["SwiftSpec", "SwiftSpecCABI", "CSwiftSpec"]),
  ]
)
