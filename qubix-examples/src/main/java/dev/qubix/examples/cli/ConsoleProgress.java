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
  private static final String CLEAR_LINE = "\r\033[2K";
  private final PrintStream err;
  private final boolean terminal;
  private final boolean verbose;
  private final int width;
  private int tick;
  private long lastDraw;
  /** A transient line is on screen: anything else printed must clear it first. */
  private boolean drawn;

  ConsoleProgress(PrintStream err, boolean terminal, boolean verbose) {
    this.err = err;
    this.terminal = terminal;
    this.verbose = verbose;
    this.width = columns();
  }

  static ConsoleProgress forTerminal(PrintStream err, boolean verbose) {
    return new ConsoleProgress(err, System.console() != null && System.getenv("TERM") != null
        && !"dumb".equals(System.getenv("TERM")), verbose);
  }

  /** With --json stdout is for machines: progress stays on stderr and only as plain lines. */
  static ConsoleProgress quiet(PrintStream err, boolean verbose) {
    return new ConsoleProgress(err, false, verbose);
  }

  /**
   * Clears the transient line, if one is shown, so the next output (a result on stdout, an
   * error) starts at column 0 of an empty line instead of running on after the spinner.
   */
  synchronized void endTransientLine() {
    if (drawn) {
      err.print(CLEAR_LINE);
      err.flush();
      drawn = false;
    }
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
      // a line longer than the terminal wraps, and \r then clears only its last row
      int room = width - 3;
      String shown = text.length() > room ? text.substring(0, room - 1) + "…" : text;
      err.print(CLEAR_LINE + SPINNER.charAt(tick++ % 4) + " " + shown);
      err.flush();
      drawn = true;
    } else if (now - lastDraw > 5_000_000_000L) {
      lastDraw = now;
      err.println(text);
    }
  }

  private void line(String text) {
    endTransientLine();
    err.println(text);
  }

  /** $COLUMNS when the shell exports it, else the classic 80: Java cannot ask the terminal. */
  private static int columns() {
    try {
      int c = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80").trim());
      return c >= 20 ? c : 80;
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }

  private static String seconds(Duration d) {
    return d.toSeconds() + " s";
  }
}
