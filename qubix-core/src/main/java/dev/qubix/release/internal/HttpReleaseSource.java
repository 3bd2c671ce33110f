package dev.qubix.release.internal;

import dev.qubix.release.DiskFullException;
import dev.qubix.release.DownloadException;
import dev.qubix.spi.PrivateFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * A release folder served over HTTP(S), fetched with the JDK's {@link HttpClient}: interrupted
 * downloads resume with a {@code Range} request, transient failures (connection cut, timeout, 408,
 * 429, 5xx) are retried with a doubling backoff, and every error names the URL.
 */
public final class HttpReleaseSource implements ReleaseSource {
  private final URI base;
  private final ReleaseSettings settings;
  private final HttpClient client;

  public HttpReleaseSource(URI base, ReleaseSettings settings) {
    this.base = base;
    this.settings = settings;
    // GitHub's release downloads redirect to a storage host
    this.client = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
        .followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  @Override
  public String describe(String name) {
    return base.resolve(name).toString();
  }

  @Override
  public Optional<byte[]> readSmall(String name, int limit) {
    URI uri = base.resolve(name);
    return retrying(uri, () -> {
      HttpResponse<InputStream> r = send(uri, 0);
      try (InputStream in = r.body()) {
        int s = r.statusCode();
        if (s == 404 || s == 410) {
          return Optional.empty();
        }
        checkStatus(s, uri);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try (StallGuard guard = new StallGuard(in, settings.stallTimeout())) {
          try {
            for (int n; (n = in.read(buf)) >= 0; ) {
              guard.progressed();
              out.write(buf, 0, n);
              if (out.size() > limit) {
                throw new DownloadException(uri + " is larger than " + limit + " bytes: not a release's " + name);
              }
            }
          } catch (IOException e) {
            throw new Transient(guard.stalled() ? stalled(uri) : "reading " + uri + " failed: " + e.getMessage());
          }
        }
        return Optional.of(out.toByteArray());
      }
    });
  }

  @Override
  public void fetch(String name, Path partial, MessageDigest digest, Progress progress) {
    URI uri = base.resolve(name);
    retrying(uri, () -> {
      try (FileChannel ch = PrivateFiles.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND)) {
        once(uri, ch, partial, digest, progress);
      }
      return null;
    });
  }

  /** One request for what the partial lacks; a cut connection or a stall is {@link Transient}. */
  private void once(URI uri, FileChannel ch, Path partial, MessageDigest digest, Progress progress) throws IOException {
    long offset = ch.size();
    HttpResponse<InputStream> r = send(uri, offset);
    try (InputStream in = r.body()) {
      int s = r.statusCode();
      if (s == 416 && offset > 0) {
        return;   // nothing after what we have: the file is complete (the checksum decides)
      }
      checkStatus(s, uri);
      boolean resumes = s == 206 && r.headers().firstValue("Content-Range").orElse("").startsWith("bytes " + offset + "-");
      if (!resumes && offset > 0) {
        // the server sent the whole file (no Range support): start over
        ch.truncate(0);
        digest.reset();
        offset = 0;
      }
      long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
      long total = length < 0 ? -1 : offset + length;
      DiskSpace.require(partial.getParent(), length, uri.toString());
      long done = offset;
      long got = 0;
      byte[] buf = new byte[1 << 16];
      try (StallGuard guard = new StallGuard(in, settings.stallTimeout())) {
        while (true) {
          int n;
          try {
            n = in.read(buf);
          } catch (IOException e) {
            throw new Transient(guard.stalled() ? stalled(uri)
                : "the download of " + uri + " was cut after " + done + " bytes: " + e.getMessage());
          }
          if (n < 0) {
            break;
          }
          guard.progressed();
          write(ch, buf, n, partial);
          digest.update(buf, 0, n);
          done += n;
          got += n;
          progress.bytes(done, total);
        }
      }
      if (length >= 0 && got < length) {
        throw new Transient("the download of " + uri + " ended after " + done + " of " + total + " bytes");
      }
    }
  }

  private String stalled(URI uri) {
    return "timed out: no data from " + uri + " for " + seconds(settings.stallTimeout());
  }

  private static String seconds(java.time.Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
  }

  private static void write(FileChannel ch, byte[] buf, int n, Path file) {
    try {
      ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    } catch (IOException e) {
      if (DiskSpace.isFull(e)) {
        throw DiskSpace.full(file, e);
      }
      throw new DownloadException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private HttpResponse<InputStream> send(URI uri, long offset) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout()).GET()
        .header("User-Agent", "qubix-release");
    if (offset > 0) {
      b.header("Range", "bytes=" + offset + "-");
    }
    try {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw new Transient("timed out after " + seconds(settings.requestTimeout()) + " waiting for " + uri);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DownloadException("interrupted while fetching " + uri);
    } catch (IOException e) {
      throw new Transient("cannot fetch " + uri + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
  }

  private static void checkStatus(int s, URI uri) {
    if (s == 200 || s == 206) {
      return;
    }
    if (s == 408 || s == 429 || s >= 500) {
      throw new Transient("HTTP " + s + " from " + uri);
    }
    throw new DownloadException("HTTP " + s + " from " + uri
        + (s == 404 ? ": the release has no such file (check the release URL, tag and file names)" : ""));
  }

  private <T> T retrying(URI uri, Attempt<T> attempt) {
    Transient last = null;
    for (int i = 1; i <= settings.attempts(); i++) {
      if (i > 1) {
        try {
          Thread.sleep(settings.backoffBefore(i).toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new DownloadException("interrupted while fetching " + uri);
        }
      }
      try {
        return attempt.run();
      } catch (Transient t) {
        last = t;
      } catch (DiskFullException | DownloadException e) {
        throw e;
      } catch (IOException e) {
        if (DiskSpace.isFull(e)) {
          throw DiskSpace.full(Path.of(uri.getPath()), e);
        }
        last = new Transient(e.getMessage());
      }
    }
    throw new DownloadException(last.getMessage() + " (gave up after " + settings.attempts() + " attempts)");
  }

  @FunctionalInterface
  private interface Attempt<T> {
    T run() throws IOException;
  }

  /** A failure worth another attempt. */
  private static final class Transient extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Transient(String message) {
      super(message, null, false, false);
    }
  }

  /** Closes a body that sends nothing for too long, so the blocked read returns (with an error). */
  private static final class StallGuard implements AutoCloseable {
    private final Thread watcher;
    private volatile long last = System.nanoTime();
    private volatile boolean stalled;
    private volatile boolean done;

    StallGuard(InputStream in, java.time.Duration limit) {
      long limitNanos = limit.toNanos();
      watcher = new Thread(() -> {
        while (!done) {
          if (System.nanoTime() - last > limitNanos) {
            stalled = true;
            try {
              in.close();
            } catch (IOException ignored) {
              // closing is all that is wanted: the reader sees the error
            }
            return;
          }
          try {
            Thread.sleep(Math.max(10, Math.min(1000, limitNanos / 4_000_000)));
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "qubix-release-stall-guard");
      watcher.setDaemon(true);
      watcher.start();
    }

    void progressed() {
      last = System.nanoTime();
    }

    boolean stalled() {
      return stalled;
    }

    @Override
    public void close() {
      done = true;
      watcher.interrupt();
    }
  }
}
