package dev.qubix.microvm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.CommandFailedException;
import dev.qubix.ConfigurationException;
import dev.qubix.event.ProgressEvent;
import dev.qubix.event.ProgressListener;
import dev.qubix.exec.CommandRunner;
import dev.qubix.spi.BackendContext;
import dev.qubix.spi.HostInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a copy that fails part-way leaves (nothing), and how a full disk is reported (exit 2, named). */
class HomeDisksTest {
  @TempDir Path state;

  /** A qemu-img that writes part of its output, then fails as a full disk makes it fail. */
  private static CommandRunner fullDiskPartway() {
    return c -> {
      Path out = Path.of(c.argv().get(c.argv().size() - 1));
      try {
        Files.write(out, new byte[4096]);
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
      throw new CommandFailedException(c.argv(), 1,
          List.of("qemu-img: error while writing at byte 4096: No space left on device"));
    };
  }

  @Test
  void aDiskThatFillsUpPartwayLeavesNoHalfWrittenBackupAndIsInvalidInput() throws Exception {
    VmFiles f = new VmFiles(Files.createDirectories(state.resolve("qubix-box")));
    Files.write(f.home(), new byte[8192]);
    List<ProgressEvent> events = new ArrayList<>();
    BackendContext context = BackendContext.of(state, fullDiskPartway(), events::add, HostInfo.current(), Duration.ofMinutes(1));
    HomeDisks homes = new HomeDisks(context, new QemuTools("qemu-system-x86_64", "qemu-img", true, true), f);
    homes.backupsFolder();

    assertThatThrownBy(() -> homes.convert(f.home(), "qcow2", homes.temporary("b"), "qcow2", "back up the home as b"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no space left").hasMessageContaining("nothing was changed");

    assertThat(homes.temporary("b")).as("the partial copy").doesNotExist();
    assertThat(homes.list()).isEmpty();
    assertThat(events).first().isEqualTo(new ProgressEvent.BytesCopied("back up the home as b", 0, 8192));
  }

  @Test
  void anotherFailedCopyIsAnOperationFailureAndAlsoLeavesNothing() throws Exception {
    VmFiles f = new VmFiles(Files.createDirectories(state.resolve("qubix-box")));
    Files.write(f.home(), new byte[8192]);
    CommandRunner broken = c -> {
      throw new CommandFailedException(c.argv(), 1, List.of("qemu-img: Could not open: Input/output error"));
    };
    HomeDisks homes = new HomeDisks(BackendContext.of(state, broken, ProgressListener.NONE, HostInfo.current(),
        Duration.ofMinutes(1)), new QemuTools("qemu-system-x86_64", "qemu-img", true, true), f);

    assertThatThrownBy(() -> homes.convert(f.home(), "qcow2", f.newHome(), "qcow2", "restore"))
        .isNotInstanceOf(ConfigurationException.class).hasMessageContaining("Input/output error");
    assertThat(f.newHome()).doesNotExist();
  }

  @Test
  void backupNamesAreFilesInTheBackupsFolderAndTheFormatIsTheExtension() {
    assertThat(HomeDisks.formatOf(Path.of("/x/home.VHDX"))).isEqualTo("vhdx");
    assertThat(HomeDisks.formatOf(Path.of("/x/home.qcow2"))).isEqualTo("qcow2");
    assertThatThrownBy(() -> HomeDisks.formatOf(Path.of("/x/home.img"))).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(".qcow2 or .vhdx");
  }
}
