package dev.qubix.examples.cli;

import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress for people: on a terminal one self-overwriting status line (spinner, step, bytes,
 * waits); otherwise plain lines, one per step, so logs and CI output stay readable.
 */
final class ConsoleProgress implements ProgressListener {
  private static final String SPINNER = "|/-\\";
  private final PrintStream err;
  private final boolean terminal;
  private final boolean verbose;
  private int tick;
  private long lastDraw;

  private ConsoleProgress(PrintStream err, boolean terminal, boolean verbose) {
    this.err = err;
    this.terminal = terminal;
    this.verbose = verbose;
  }

  static ProgressListener forTerminal(PrintStream err, boolean verbose) {
    return new ConsoleProgress(err, System.console() != null && System.getenv("TERM") != null
        && !"dumb".equals(System.getenv("TERM")), verbose);
  }

  /** With --json stdout is for machines: progress stays on stderr and only as plain lines. */
  static ProgressListener quiet(PrintStream err, boolean verbose) {
    return new ConsoleProgress(err, false, verbose);
  }

  @Override
  public synchronized void onEvent(ProgressEvent event) {
    if (event instanceof ProgressEvent.StepStarted s) {
      line("[" + s.index() + "/" + s.total() + "] " + s.description());
    } else if (event instanceof ProgressEvent.StepFinished f) {
      if (!f.ok()) {
        line("step " + f.step() + " failed after " + seconds(f.took()));
      }
    } else if (event instanceof ProgressEvent.BytesCopied b) {
      status("copying " + b.what() + " " + mib(b.done())
          + (b.total() > 0 ? " / " + mib(b.total()) + " (" + (100 * b.done() / b.total()) + "%)" : ""));
    } else if (event instanceof ProgressEvent.NixActivity n) {
      if (n.phase() == ProgressEvent.NixActivity.Phase.STARTED && !n.text().isBlank()) {
        status("nix: " + n.text());
      } else if (n.phase() == ProgressEvent.NixActivity.Phase.PROGRESS && n.expected() > 0) {
        // copies and downloads count bytes; builds and the like count derivations
        boolean bytes = n.kind().startsWith("copy") || n.kind().equals("download") || n.kind().equals("substitute");
        status("nix: " + n.kind() + " " + (bytes ? mib(n.done()) + " / " + mib(n.expected()) : n.done() + " / " + n.expected()));
      }
    } else if (event instanceof ProgressEvent.Waiting w) {
      status("waiting for " + w.what() + " (" + seconds(w.elapsed()) + " of " + seconds(w.limit()) + ")");
    } else if (event instanceof ProgressEvent.Log l && verbose) {
      line(l.source() + ": " + l.line());
    }
  }

  /** Transient status: redrawn in place on a terminal, throttled to plain lines elsewhere. */
  private void status(String text) {
    long now = System.nanoTime();
    if (terminal) {
      if (now - lastDraw < 80_000_000L) {
        return;
      }
      lastDraw = now;
      String shown = text.length() > 100 ? text.substring(0, 99) + "…" : text;
      err.print("\r\033[2K" + SPINNER.charAt(tick++ % 4) + " " + shown);
      err.flush();
    } else if (now - lastDraw > 5_000_000_000L) {
      lastDraw = now;
      err.println(text);
    }
  }

  private void line(String text) {
    if (terminal) {
      err.print("\r\033[2K");
    }
    err.println(text);
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }

  private static String seconds(Duration d) {
    return d.toSeconds() + " s";
  }
}
