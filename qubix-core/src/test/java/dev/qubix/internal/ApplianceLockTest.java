package dev.qubix.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.LockedException;
import dev.qubix.event.ProgressListener;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplianceLockTest {
  @TempDir Path state;

  @Test
  void secondThreadWaitsThenFailsNamingTheHolder() {
    try (ApplianceLock held = ApplianceLock.acquire(state, "qubix-x", "recreate", Duration.ofSeconds(1), ProgressListener.NONE)) {
      CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(() -> {
        try (ApplianceLock l = ApplianceLock.acquire(state, "qubix-x", "stop", Duration.ofMillis(300), ProgressListener.NONE)) {
          return null;
        } catch (Throwable t) {
          return t;
        }
      });

      assertThat(other.join()).isInstanceOfSatisfying(LockedException.class, e -> {
        assertThat(e.holderPid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(e.getMessage()).contains("qubix-x is being changed by another Qubix process (pid "
            + ProcessHandle.current().pid() + ", recreate since");
      });
    }
  }

  @Test
  void lockIsFreeAgainAfterClose() {
    ApplianceLock.acquire(state, "qubix-x", "start", Duration.ofSeconds(1), ProgressListener.NONE).close();

    try (ApplianceLock again = ApplianceLock.acquire(state, "qubix-x", "stop", Duration.ofMillis(100), ProgressListener.NONE)) {
      // the second holder really holds it: a third caller is refused, naming this process
      assertThatThrownBy(() -> ApplianceLock.acquire(state, "qubix-x", "start", Duration.ofMillis(100), ProgressListener.NONE))
          .isInstanceOfSatisfying(LockedException.class, e -> assertThat(e.holderPid()).isEqualTo(ProcessHandle.current().pid()));
    }
  }

  @Test
  void waiterGetsTheLockWhenTheHolderReleases() throws Exception {
    ApplianceLock first = ApplianceLock.acquire(state, "qubix-x", "recreate", Duration.ofSeconds(1), ProgressListener.NONE);
    java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
    ProgressListener seesWaiting = e -> {
      if (e instanceof dev.qubix.event.ProgressEvent.Waiting) {
        waiting.countDown();
      }
    };
    CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
      try (ApplianceLock l = ApplianceLock.acquire(state, "qubix-x", "stop", Duration.ofSeconds(30), seesWaiting)) {
        return true;
      }
    });
    // the waiter says it waits (no sleep: its own event), and cannot have the lock while first holds it
    assertThat(waiting.await(20, TimeUnit.SECONDS)).as("a Waiting event from the second caller").isTrue();
    assertThat(waiter).isNotDone();

    first.close();

    assertThat(waiter.get(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void anotherJvmHoldingTheLockIsNamedAndItsDeathFreesIt() throws Exception {
    Path ready = state.resolve("ready");
    Process holder = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        LockHolderMain.class.getName(), state.toString(), ready.toString()))
        .redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
    try {
      for (int i = 0; i < 200 && !Files.exists(ready); i++) {
        Thread.sleep(50);
      }
      assertThat(ready).exists();

      assertThatThrownBy(() -> ApplianceLock.acquire(state, "qubix-x", "stop", Duration.ofMillis(300), ProgressListener.NONE))
          .isInstanceOfSatisfying(LockedException.class, e -> assertThat(e.holderPid()).isEqualTo(holder.pid()));

      holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

      try (ApplianceLock l = ApplianceLock.acquire(state, "qubix-x", "stop", Duration.ofSeconds(5), ProgressListener.NONE)) {
        // freed by the holder's death, and now this process's: a third caller is refused naming it
        assertThatThrownBy(() -> ApplianceLock.acquire(state, "qubix-x", "start", Duration.ofMillis(100), ProgressListener.NONE))
            .isInstanceOfSatisfying(LockedException.class, e -> assertThat(e.holderPid()).isEqualTo(ProcessHandle.current().pid()));
      }
    } finally {
      holder.destroyForcibly();
    }
  }

  /** Holds the lock until killed. */
  public static final class LockHolderMain {
    public static void main(String[] args) throws Exception {
      ApplianceLock.acquire(Path.of(args[0]), "qubix-x", "recreate", Duration.ofSeconds(5), ProgressListener.NONE);
      Files.createFile(Path.of(args[1]));
      Thread.sleep(60_000);
    }
  }
}
