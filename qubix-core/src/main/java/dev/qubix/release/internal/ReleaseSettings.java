package dev.qubix.release.internal;

import java.time.Duration;

/**
 * How patiently releases are fetched: {@code attempts} per file (each resumes where the last one
 * stopped), a backoff that doubles from {@code firstBackoff} up to {@code maxBackoff}, how long to wait
 * for a connection and for response headers, and how long a body may send nothing before the attempt
 * is abandoned ({@code stallTimeout}: HttpClient has no read timeout of its own).
 */
public record ReleaseSettings(int attempts, Duration firstBackoff, Duration maxBackoff, Duration connectTimeout,
    Duration requestTimeout, Duration stallTimeout) {

  public static final ReleaseSettings DEFAULT = new ReleaseSettings(5, Duration.ofSeconds(1), Duration.ofSeconds(30),
      Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60));

  public ReleaseSettings {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
    }
  }

  /** The pause before attempt {@code next} (2, 3, …). */
  public Duration backoffBefore(int next) {
    long ms = firstBackoff.toMillis() << Math.min(20, Math.max(0, next - 2));
    return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
  }
}
