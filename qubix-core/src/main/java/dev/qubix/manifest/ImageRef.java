package dev.qubix.manifest;

/**
 * One image a backend can use: the flake output ({@code packageName}) that builds it, its format,
 * the image file's path inside that output ({@code file}, optional), the output's store path as
 * Nix evaluated it ({@code storePath}, optional: lets the builder match build results to images),
 * and, for prebuilt manifests, an absolute {@code path} to use without Nix (optional).
 */
public record ImageRef(String key, String packageName, ImageFormat format, String file, String storePath, String path) {}
