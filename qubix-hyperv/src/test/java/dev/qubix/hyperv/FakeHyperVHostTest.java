package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.InstanceStatus;
import dev.qubix.Purge;
import dev.qubix.event.ProgressEvent;
import dev.qubix.hyperv.internal.HyperVBackend;
import dev.qubix.hyperv.internal.HyperVScriptException;
import dev.qubix.manifest.ImageFormat;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.spi.Image;
import dev.qubix.spi.ImageSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake host answers the real backend as Qubix's scripts would: it checks before it acts, and it
 * refuses, before changing anything, what the scripts refuse and the Java side relies on.
 */
class FakeHyperVHostTest {
  private static final String VM_DIR = "C:\\HyperV\\Qubix\\qubix-spotibox";

  @TempDir Path state;
  @TempDir Path windows;
  @TempDir Path built;

  private final List<ProgressEvent> events = new CopyOnWriteArrayList<>();
  private final MachineManifest m = Fixtures.dhcp();
  private FakeHyperVHost host;
  private HyperVBackend backend;
  private ImageSet images;

  @BeforeEach
  void anEmptyHostAndBuiltImages() throws IOException {
    host = new FakeHyperVHost(windows);
    backend = new HyperVBackend(host.wslContext(state, events::add, Duration.ofMinutes(1)));
    Path system = Files.writeString(built.resolve("0123456789abcdefghijklmnopqrstuv-spotibox-vhdx.vhdx"), "system image");
    Path home = Files.writeString(built.resolve("abcdefghijklmnopqrstuv0123456789-home.vhdx"), "home image");
    images = new ImageSet(Map.of("hyperv", new Image("hyperv", ImageFormat.VHDX, system.toString(), system),
        "home", new Image("home", ImageFormat.VHDX, home.toString(), home)));
  }

  @Test
  void theVmsSecretReachesTheGuestsKvpItemOnStdinOnlyAndSurvivesARecreate() {
    Ops.recreate(backend, m, images);
    String secret = host.kvpSecret("qubix-spotibox");

    assertThat(secret).matches("[A-Za-z0-9_-]{32}");
    assertThat(backend.rdpPassword(m)).contains(secret);
    assertThat(host.argvs()).noneMatch(argv -> String.join(" ", argv).contains(secret));
    assertThat(events).noneMatch(e -> e.toString().contains(secret));

    Ops.stop(backend, m, Duration.ofSeconds(5));
    Ops.recreate(backend, m, images);
    assertThat(host.kvpSecret("qubix-spotibox")).isEqualTo(secret);
  }

  @Test
  void aSecondRecreateFindsTheBaseImageCachedAndKeepsTheHomeDisk() throws IOException {
    Ops.recreate(backend, m, images);
    Path home = host.local(VM_DIR + "\\qubix-spotibox-home.vhdx");
    Files.writeString(home, "written by the guest");
    events.clear();

    Ops.recreate(backend, m, images);

    assertThat(events).filteredOn(ProgressEvent.Log.class::isInstance).extracting(e -> ((ProgressEvent.Log) e).line())
        .contains("base-image: nothing to do, the base image is cached", "home-disk-seed: nothing to do, the home disk is kept");
    assertThat(home).hasContent("written by the guest");
    assertThat(backend.inspect(m)).map(InstanceStatus::state).contains(InstanceStatus.State.RUNNING);
  }

  @Test
  void aVmQubixDidNotMakeIsRefusedBeforeAnythingChanges() {
    host.addForeignVm("qubix-spotibox", "C:\\Users\\someone\\VMs\\qubix-spotibox");

    assertThatThrownBy(() -> Ops.recreate(backend, m, images)).isInstanceOf(HyperVScriptException.class)
        .hasMessageContaining("Qubix did not create it").extracting(e -> ((HyperVScriptException) e).category())
        .isEqualTo("vm-conflict");
    assertThat(windows.resolve("c/HyperV")).doesNotExist();
  }

  @Test
  void purgeDeletesNothingInAFolderWithoutQubixsMark() throws IOException {
    Path mine = Files.createDirectories(host.local(VM_DIR)).resolve("notes.txt");
    Files.writeString(mine, "not Qubix's");

    assertThatThrownBy(() -> Ops.destroy(backend, m, Purge.EVERYTHING)).isInstanceOf(HyperVScriptException.class)
        .extracting(e -> ((HyperVScriptException) e).category()).isEqualTo("unsafe-path");
    assertThat(mine).hasContent("not Qubix's");
  }

  @Test
  void stopAndStartReportTheStateTheVmEndedInAndNeedAVm() {
    assertThatThrownBy(() -> Ops.start(backend, m)).isInstanceOf(HyperVScriptException.class)
        .extracting(e -> ((HyperVScriptException) e).category()).isEqualTo("not-found");
    Ops.recreate(backend, m, images);

    Ops.stop(backend, m, Duration.ofSeconds(5));
    assertThat(backend.inspect(m)).map(InstanceStatus::state).contains(InstanceStatus.State.STOPPED);
    Ops.start(backend, m);
    assertThat(backend.inspect(m)).map(InstanceStatus::state).contains(InstanceStatus.State.RUNNING);
  }

  @Test
  void gcRemovesTheBaseImagesNoVmUsesAndKeepsTheOneInUse() throws IOException {
    Ops.recreate(backend, m, images);
    Files.writeString(host.local("C:\\HyperV\\Qubix\\images\\old.vhdx"), "an older build");

    List<String> removed = backend.gc(m);

    assertThat(removed).containsExactly("C:\\HyperV\\Qubix\\images\\old.vhdx");
    assertThat(host.local("C:\\HyperV\\Qubix\\images\\0123456789abcdefghijklmnopqrstuv.vhdx")).exists();
  }
}
