package dev.qubix.microvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Appliance;
import dev.qubix.Operation;
import dev.qubix.Plan;
import dev.qubix.QubixException;
import dev.qubix.Qubix;
import dev.qubix.Step;
import dev.qubix.testing.Requires;
import dev.qubix.testing.TestManifest;
import dev.qubix.testing.TinyGuest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken images fail with a message naming the file and the fix, before anything is created or started. */
class MicrovmBadInputTest {
  @TempDir Path work;
  Path state;

  @BeforeEach
  void qemu() {
    state = work.resolve("state");   // first: the @AfterEach check runs after a skip too
    Requires.tool("qemu-system-x86_64");
    Requires.tool("qemu-img");
  }

  @AfterEach
  void nothingStarted() {
    assertThat(TinyGuest.qemuUnder(work)).as("QEMU processes").isEmpty();
    assertThat(state.resolve("qubix-bad/qemu.pid")).doesNotExist();
  }

  @Test
  void directImageWithoutKernelIsAClearErrorAndCreatesNothing() throws Exception {
    Path broken = Files.createDirectories(work.resolve("broken-direct"));
    Files.writeString(broken.resolve("initrd"), "x");

    assertThatThrownBy(() -> bad("direct", broken).build().recreate())
        .isInstanceOf(QubixException.class)
        .hasMessageContaining(broken + " has no kernel")
        .hasMessageContaining("a direct image is a folder with kernel, initrd");
    assertThat(state.resolve("qubix-bad")).doesNotExist();
  }

  @Test
  void corruptQcow2IsAClearErrorAndCreatesNothing() throws Exception {
    Path corrupt = work.resolve("corrupt.qcow2");
    Files.write(corrupt, "QFI\u00fbthis is not really a qcow2 image".getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> bad("qcow2", corrupt).build().recreate())
        .isInstanceOf(QubixException.class)
        .hasMessageContaining(corrupt + " (/machines/bad/images/microvm) cannot be used as a qcow2 backing file");
    assertThat(state.resolve("qubix-bad")).doesNotExist();
    assertThat(bad("qcow2", corrupt).status()).isEmpty();
  }

  @Test
  void rawFileDeclaredAsQcow2IsRejectedNotProbed() throws Exception {
    Path raw = work.resolve("disk.img");
    Files.write(raw, new byte[1 << 20]);

    assertThatThrownBy(() -> bad("qcow2", raw).build().recreate())
        .isInstanceOf(QubixException.class)
        .hasMessageContaining("cannot be used as a qcow2 backing file")
        .hasMessageContaining("fix the format declared in the manifest");
    assertThat(state.resolve("qubix-bad")).doesNotExist();
  }

  @Test
  void planReadsStateButWritesNothing() throws Exception {
    Path raw = work.resolve("disk.img");
    Files.write(raw, new byte[1 << 20]);

    Plan plan = bad("raw", raw).plan(Operation.RECREATE);

    assertThat(plan.steps()).extracting(Step::id)
        .containsExactly("clean", "system-disk", "home-disk", "secret", "port", "start", "wait-running");
    assertThat(plan.steps().get(1).description()).contains("over " + raw).contains("never copied");
    assertThat(plan.steps().get(2).description()).contains("blank, 64 MiB");
    assertThat(plan.steps().get(3).description()).contains("generate the VM's RDP secret").contains("0600");
    try (Stream<Path> written = Files.walk(work)) {
      assertThat(written.filter(p -> p.startsWith(state.resolve("qubix-bad")))).isEmpty();
    }
  }

  private Appliance bad(String format, Path image) {
    Path m = TestManifest.machine("bad").withHomeDisk(64).withImage("microvm", format, image).writeTo(work.resolve("bad.json"));
    return Qubix.appliance("bad").withManifest(m).withBackend("microvm").withStateDir(state);
  }
}
