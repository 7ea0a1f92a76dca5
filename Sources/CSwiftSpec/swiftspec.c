// SPDX-License-Identifier: GPL-2.0-or-later
// Intentionally empty: SwiftPM needs one source file for the header-only ABI target.
