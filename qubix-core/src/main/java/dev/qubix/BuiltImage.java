package dev.qubix;

import dev.qubix.manifest.ImageFormat;
import java.nio.file.Path;

/**
 * One image a build produced: its manifest key, format, where it came from ({@code source}: the Nix
 * store path, or the prebuilt file) and the file this JVM opens.
 */
public record BuiltImage(String key, ImageFormat format, String source, Path file) {}
