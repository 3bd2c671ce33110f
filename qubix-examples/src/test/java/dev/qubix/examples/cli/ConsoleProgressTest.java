package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.event.ProgressEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream screen = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private List<String> rows() {
    return TerminalScreen.of(bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aResultAfterAWaitStartsOnAClearedLine() {
    ConsoleProgress p = new ConsoleProgress(screen, true, false);
    p.onEvent(new ProgressEvent.Waiting("RDP on 10.0.2.15:3389", Duration.ofSeconds(3), Duration.ofSeconds(180)));

    p.endTransientLine();
    screen.println("tiny: RDP ready at 127.0.0.1:3389");

    assertThat(rows()).containsExactly("tiny: RDP ready at 127.0.0.1:3389", "");
  }

  @Test
  void aStepLineAfterATransientLineReplacesIt() {
    ConsoleProgress p = new ConsoleProgress(screen, true, false);
    p.onEvent(new ProgressEvent.StepStarted("copy", "copy the system image", 1, 2));
    p.onEvent(new ProgressEvent.BytesCopied("system.qcow2", 1 << 20, 4 << 20));

    p.onEvent(new ProgressEvent.StepStarted("boot", "boot the VM", 2, 2));

    assertThat(rows()).containsExactly("[1/2] copy the system image", "[2/2] boot the VM", "");
  }

  @Test
  void endingWithNothingShownWritesNothing() {
    ConsoleProgress p = new ConsoleProgress(screen, true, false);

    p.endTransientLine();

    assertThat(bytes.size()).isZero();
  }

  @Test
  void aTransientLineNeverWrapsAnEightyColumnTerminal() {
    ConsoleProgress p = new ConsoleProgress(screen, true, false);

    p.onEvent(new ProgressEvent.Waiting("x".repeat(300), Duration.ZERO, Duration.ofSeconds(1)));

    assertThat(rows()).hasSize(1);
    assertThat(rows().get(0).length()).isLessThan(80);
  }

  @Test
  void offATerminalNoControlCharactersAreWritten() {
    ConsoleProgress p = new ConsoleProgress(screen, false, false);
    p.onEvent(new ProgressEvent.StepStarted("boot", "boot the VM", 1, 1));
    p.onEvent(new ProgressEvent.Waiting("RDP", Duration.ofSeconds(1), Duration.ofSeconds(9)));

    p.endTransientLine();

    assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("\r").doesNotContain("\033");
  }
}
