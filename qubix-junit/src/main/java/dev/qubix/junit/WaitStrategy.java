package dev.qubix.junit;

import dev.qubix.ConnectOptions;
import dev.qubix.Endpoint;
import dev.qubix.Instance;
import dev.qubix.OperationTimeoutException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * When a fixture's VM counts as ready, separate from "did it start": the guest's RDP answering an
 * X.224 request (the default), a TCP port accepting, a console line matching a regex, or nothing.
 * Each waits up to its own timeout and then fails with an {@link OperationTimeoutException} that
 * says what it waited for and the guest's last console lines. Combine them with {@link #allOf}.
 */
public sealed interface WaitStrategy {
  Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);

  /** RDP answers an X.224 connection request at the backend's endpoint (no client is opened). */
  static WaitStrategy rdp() {
    return new Rdp(DEFAULT_TIMEOUT);
  }

  /** A TCP connection to the VM's RDP endpoint succeeds (a listener exists; nothing is sent). */
  static WaitStrategy tcpPort() {
    return new TcpPort(null, 0, DEFAULT_TIMEOUT);
  }

  /** A TCP connection to {@code host:port} succeeds. */
  static WaitStrategy tcpPort(String host, int port) {
    return new TcpPort(Objects.requireNonNull(host, "host"), port, DEFAULT_TIMEOUT);
  }

  /** The guest writes a console line in which {@code regex} is found (microvm: its serial log). */
  static WaitStrategy consoleLine(String regex) {
    return new ConsoleLine(Pattern.compile(regex), DEFAULT_TIMEOUT);
  }

  /** Ready as soon as the backend runs the VM. */
  static WaitStrategy none() {
    return new None();
  }

  /** Every one of {@code strategies}, in order, each with its own timeout. */
  static WaitStrategy allOf(WaitStrategy... strategies) {
    return new All(List.of(strategies));
  }

  /** The same wait with another limit ({@link #allOf}: for each part). */
  WaitStrategy withTimeout(Duration timeout);

  /** What it waits for, as the timeout message says it. */
  String description();

  /** Returns once {@code vm} is ready; throws {@link OperationTimeoutException} when the timeout passes first. */
  void waitUntilReady(Instance vm, GuestConsole console);

  private static OperationTimeoutException timedOut(Instance vm, GuestConsole console, Duration timeout, String what) {
    List<String> tail = console.tail(20);
    return new OperationTimeoutException(vm.name() + ": waited " + timeout.toSeconds() + " s for " + what
        + ", in vain" + (tail.isEmpty() ? " (no console lines from " + console.source() + ")"
        : "; last console lines (" + console.source() + "):\n  " + String.join("\n  ", tail)));
  }

  private static Duration positive(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("a wait's timeout must be positive, got " + timeout);
    }
    return timeout;
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }

  /** See {@link #rdp()}. */
  record Rdp(Duration timeout) implements WaitStrategy {
    @Override
    public WaitStrategy withTimeout(Duration timeout) {
      return new Rdp(positive(timeout));
    }

    @Override
    public String description() {
      return "RDP (X.224) to answer";
    }

    @Override
    public void waitUntilReady(Instance vm, GuestConsole console) {
      try {
        vm.connect(ConnectOptions.defaults().withoutClient().withTimeout(timeout));
      } catch (OperationTimeoutException e) {
        throw timedOut(vm, console, timeout, description() + " at " + vm.endpoint());
      }
    }
  }

  /** See {@link #tcpPort()}; a null host means the VM's RDP endpoint. */
  record TcpPort(String host, int port, Duration timeout) implements WaitStrategy {
    @Override
    public WaitStrategy withTimeout(Duration timeout) {
      return new TcpPort(host, port, positive(timeout));
    }

    @Override
    public String description() {
      return host == null ? "the RDP endpoint's TCP port to accept" : "TCP port " + host + ":" + port + " to accept";
    }

    @Override
    public void waitUntilReady(Instance vm, GuestConsole console) {
      Endpoint target = host == null ? vm.endpoint() : new Endpoint(host, port);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(target.host(), target.port()), 1000);
          return;
        } catch (IOException e) {
          pause();
        }
      }
      throw timedOut(vm, console, timeout, "TCP port " + target + " to accept");
    }
  }

  /** See {@link #consoleLine(String)}. */
  record ConsoleLine(Pattern pattern, Duration timeout) implements WaitStrategy {
    @Override
    public WaitStrategy withTimeout(Duration timeout) {
      return new ConsoleLine(pattern, positive(timeout));
    }

    @Override
    public String description() {
      return "a console line matching '" + pattern + "'";
    }

    @Override
    public void waitUntilReady(Instance vm, GuestConsole console) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        if (console.lines().stream().anyMatch(l -> pattern.matcher(l).find())) {
          return;
        }
        if (System.nanoTime() >= deadline) {
          throw timedOut(vm, console, timeout, description());
        }
        pause();
      }
    }
  }

  /** See {@link #none()}. */
  record None() implements WaitStrategy {
    @Override
    public WaitStrategy withTimeout(Duration timeout) {
      return this;
    }

    @Override
    public String description() {
      return "nothing";
    }

    @Override
    public void waitUntilReady(Instance vm, GuestConsole console) {}
  }

  /** See {@link #allOf}. */
  record All(List<WaitStrategy> strategies) implements WaitStrategy {
    public All {
      strategies = List.copyOf(strategies);
    }

    @Override
    public WaitStrategy withTimeout(Duration timeout) {
      return new All(strategies.stream().map(s -> s.withTimeout(timeout)).toList());
    }

    @Override
    public String description() {
      return String.join(", then ", strategies.stream().map(WaitStrategy::description).toList());
    }

    @Override
    public void waitUntilReady(Instance vm, GuestConsole console) {
      strategies.forEach(s -> s.waitUntilReady(vm, console));
    }
  }
}
