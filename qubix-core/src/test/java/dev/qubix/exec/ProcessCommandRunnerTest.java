package dev.qubix.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.CommandFailedException;
import dev.qubix.OperationTimeoutException;
import dev.qubix.event.ProgressEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs({OS.LINUX, OS.MAC})
class ProcessCommandRunnerTest {
  private final List<ProgressEvent> events = new CopyOnWriteArrayList<>();
  private final CommandRunner runner = new ProcessCommandRunner(events::add);

  @Test
  void capturesStdoutAndStreamsLinesToListener() {
    List<String> seen = new CopyOnWriteArrayList<>();

    CommandResult r = runner.run(Command.of("sh", "-c", "echo one; echo two >&2; echo three").onStdout(seen::add));

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdoutLines()).containsExactly("one", "three");
    assertThat(r.stderrTail(5)).containsExactly("two");
    assertThat(seen).containsExactly("one", "three");
    assertThat(events).filteredOn(e -> e instanceof ProgressEvent.Log).hasSize(3);
  }

  @Test
  void argumentsAreNeverInterpretedByAShell() {
    CommandResult r = runner.run(Command.of("printf", "%s\\n", "$(id); `id` 'x' \"y\" & | ;"));

    assertThat(r.stdout()).isEqualTo("$(id); `id` 'x' \"y\" & | ;\n");
  }

  @Test
  void failureCarriesCommandExitCodeAndStderrTail() {
    assertThatThrownBy(() -> runner.run(Command.of("sh", "-c", "echo bad thing >&2; exit 3")))
        .isInstanceOfSatisfying(CommandFailedException.class, e -> {
          assertThat(e.exitCode()).isEqualTo(3);
          assertThat(e.command()).startsWith("sh");
          assertThat(e.stderrTail()).containsExactly("bad thing");
        })
        .hasMessageContaining("sh exited with 3").hasMessageContaining("bad thing");
  }

  @Test
  void allowingFailureReturnsTheResult() {
    assertThat(runner.run(Command.of("sh", "-c", "exit 4").allowingFailure()).exitCode()).isEqualTo(4);
  }

  @Test
  void timeoutKillsTheWholeProcessTree() throws Exception {
    List<Long> pids = new CopyOnWriteArrayList<>();
    // a child and a grandchild that would each outlive a plain destroy() of the shell
    String script = "sleep 300 & echo $!; sh -c 'sleep 300 & echo $!; wait' & wait";

    assertThatThrownBy(() -> runner.run(Command.of("sh", "-c", script)
        .withTimeout(Duration.ofMillis(1500)).onStdout(l -> pids.add(Long.parseLong(l.trim())))))
        .isInstanceOf(OperationTimeoutException.class)
        .hasMessageContaining("killed with its child processes");

    assertThat(pids).hasSize(2);
    for (long pid : pids) {
      for (int i = 0; i < 50 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) {
        Thread.sleep(100);
      }
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d alive", pid).isFalse();
    }
  }

  @Test
  void feedsStdin() {
    assertThat(runner.run(Command.of("cat").withStdin("hello\n")).stdout()).isEqualTo("hello\n");
  }

  @Test
  void missingProgramSaysSo() {
    assertThatThrownBy(() -> runner.run(Command.of("qubix-no-such-program")))
        .hasMessageContaining("cannot start qubix-no-such-program").hasMessageContaining("installed");
  }

  @Test
  void rejectsNulInArguments() {
    assertThatThrownBy(() -> Command.of("echo", "a\0b")).isInstanceOf(IllegalArgumentException.class);
  }
}
