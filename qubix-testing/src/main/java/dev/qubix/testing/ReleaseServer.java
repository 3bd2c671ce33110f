package dev.qubix.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves a folder over HTTP on 127.0.0.1 (the JDK's own server), with {@code Range} support, and
 * counts what it served per file. Faults on demand: cut a file's body after some bytes (once),
 * answer 503 a number of times, stall. Never listens on anything but loopback.
 */
public final class ReleaseServer implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  private final HttpServer server;
  private final Path dir;
  private final Map<String, AtomicLong> served = new ConcurrentHashMap<>();
  private final Map<String, Long> cutAfter = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  private final Map<String, Long> declaredLength = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> responses = new CopyOnWriteArrayList<>();
  private volatile long stallMillis;

  public ReleaseServer(Path dir) throws IOException {
    this.dir = dir;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "release-server");
      t.setDaemon(true);
      return t;
    }));
    server.start();
  }

  /** {@code http://127.0.0.1:PORT/} */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** Body bytes of {@code name} written to clients so far. */
  public long served(String name) {
    return served.getOrDefault(name, new AtomicLong()).get();
  }

  public long servedTotal() {
    return served.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Every request as {@code "GET /name Range"} (Range "-" when absent). */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** Every body sent, as {@code "/name Range: N bytes"}, in order. */
  public List<String> responses() {
    return List.copyOf(responses);
  }

  /** The next response for {@code name} sends {@code bytes} of its body, then drops the connection. */
  public void cutOnce(String name, long bytes) {
    cutAfter.put(name, bytes);
  }

  /** The next {@code times} requests for {@code name} get 503. */
  public void fail(String name, int times) {
    failures.put(name, new AtomicInteger(times));
  }

  /** Announces this Content-Length for {@code name} (then sends nothing). */
  public void declareLength(String name, long length) {
    declaredLength.put(name, length);
  }

  /** Every body waits this long after its headers. */
  public void stall(long millis) {
    stallMillis = millis;
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      String name = x.getRequestURI().getPath().substring(1);
      String range = x.getRequestHeaders().getFirst("Range");
      requests.add(x.getRequestMethod() + " /" + name + " " + (range == null ? "-" : range));
      AtomicInteger fail = failures.get(name);
      if (fail != null && fail.getAndDecrement() > 0) {
        x.sendResponseHeaders(503, -1);
        return;
      }
      Path f = dir.resolve(name).normalize();
      if (!f.startsWith(dir) || !Files.isRegularFile(f)) {
        x.sendResponseHeaders(404, -1);
        return;
      }
      Long declared = declaredLength.get(name);
      if (declared != null) {
        x.sendResponseHeaders(200, declared);
        return;
      }
      byte[] all = Files.readAllBytes(f);
      int from = 0;
      Matcher m = range == null ? null : RANGE.matcher(range);
      if (m != null && m.matches()) {
        from = (int) Long.parseLong(m.group(1));
        if (from >= all.length) {
          x.getResponseHeaders().add("Content-Range", "bytes */" + all.length);
          x.sendResponseHeaders(416, -1);
          return;
        }
        x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (all.length - 1) + "/" + all.length);
        x.sendResponseHeaders(206, all.length - from);
      } else {
        x.sendResponseHeaders(200, all.length);
      }
      if (stallMillis > 0) {
        try {
          Thread.sleep(stallMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      Long cut = cutAfter.remove(name);
      int to = cut == null ? all.length : (int) Math.min(all.length, from + cut);
      OutputStream out = x.getResponseBody();
      out.write(all, from, to - from);
      out.flush();
      served.computeIfAbsent(name, k -> new AtomicLong()).addAndGet(to - from);
      responses.add("/" + name + " " + (range == null ? "-" : range) + ": " + (to - from) + " bytes");
      if (cut != null) {
        // drop the connection mid-body: the client sees a short body
        throw new IOException("cut on purpose");
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
