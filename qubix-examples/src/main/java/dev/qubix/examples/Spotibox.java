package dev.qubix.examples;

import dev.qubix.Connection;
import dev.qubix.Qubix;
import dev.qubix.event.ProgressEvent;

/**
 * The README's one-liner as a program: build spotibox with Nix, recreate its VM (the home disk
 * survives), and open the RDP client. Run from the repository root so {@code ./nix} is the flake.
 */
public final class Spotibox {
  private Spotibox() {}

  public static void main(String[] args) {
    Connection c = Qubix.appliance("spotibox")
        .withListener(Spotibox::print)
        .build()
        .recreate()
        .connect();
    System.out.println("spotibox is ready at " + c.endpoint()
        + c.client().map(p -> " (RDP client pid " + p.pid() + ")").orElse(" (headless: no RDP client started)"));
  }

  private static void print(ProgressEvent e) {
    if (e instanceof ProgressEvent.StepStarted s) {
      System.out.printf("[%d/%d] %s%n", s.index(), s.total(), s.description());
    } else if (e instanceof ProgressEvent.NixActivity n && n.phase() == ProgressEvent.NixActivity.Phase.STARTED
        && !n.text().isBlank()) {
      System.out.println("nix: " + n.text());
    } else if (e instanceof ProgressEvent.BytesCopied b && b.total() > 0 && b.done() == b.total()) {
      System.out.printf("copied %s (%d MiB)%n", b.what(), b.total() >> 20);
    }
  }
}
