package dev.qubix.nspawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Appliance;
import dev.qubix.Availability;
import dev.qubix.BackendInfo;
import dev.qubix.BackendUnavailableException;
import dev.qubix.ManifestException;
import dev.qubix.Operation;
import dev.qubix.Purge;
import dev.qubix.Qubix;
import dev.qubix.microvm.MicrovmBackendProvider;
import dev.qubix.nspawn.internal.NspawnProbe;
import dev.qubix.spi.HostInfo;
import dev.qubix.testing.TestManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the provider says about a host, where it ranks, and which images it accepts. */
class NspawnBackendProviderTest {
  @TempDir Path tmp;

  private static NspawnProbe probe(long uid, Optional<String> namespacesRefused) {
    return new NspawnProbe(() -> Optional.of(uid), () -> namespacesRefused);
  }

  /** A Linux host whose PATH holds exactly {@code tools} (empty executable files). */
  private HostInfo linuxWith(String... tools) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    for (String t : tools) {
      Files.createFile(bin.resolve(t), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }
    return new HostInfo(HostInfo.Os.LINUX, "amd64", false, Map.of("PATH", bin.toString()));
  }

  private static String said(Availability a) {
    assertThat(a.isAvailable()).as(a.toString()).isFalse();
    return a.toString();
  }

  @Test
  void probeNamesWhatIsMissingAndTheFix() throws Exception {
    HostInfo windows = new HostInfo(HostInfo.Os.WINDOWS, "amd64", false, Map.of());
    assertThat(said(probe(0, Optional.empty()).probe(windows))).isEqualTo("the nspawn backend needs Linux (systemd-nspawn) — use hyperv on Windows");

    HostInfo all = linuxWith("systemd-nspawn", "slirp4netns", "ip");
    assertThat(said(probe(1000, Optional.empty()).probe(all))).isEqualTo("not root (uid 1000): systemd-nspawn needs root to make "
        + "the container's mounts and namespaces — run qubixctl as root (sudo), or use microvm");
    assertThat(said(probe(0, Optional.of("unshare: unshare failed: Operation not permitted")).probe(all)))
        .isEqualTo("the kernel refused new namespaces (unshare: unshare failed: Operation not permitted) — run Qubix on the "
            + "host or in a privileged container, or use microvm");
  }

  @Test
  void probeNamesTheDebianPackageOfAMissingProgram() throws Exception {
    assertThat(said(probe(0, Optional.empty()).probe(linuxWith("slirp4netns", "ip"))))
        .startsWith("systemd-nspawn not found: install systemd-container (apt-get install systemd-container)");
  }

  @Test
  void probeNamesSlirp4netnsWhenOnlyItIsMissing() throws Exception {
    assertThat(said(probe(0, Optional.empty()).probe(linuxWith("systemd-nspawn", "ip"))))
        .startsWith("slirp4netns not found: install slirp4netns (apt-get install slirp4netns)");
  }

  @Test
  void anAvailableHostSaysWhyMicrovmIsStillPreferred() throws Exception {
    Availability a = probe(0, Optional.empty()).probe(linuxWith("systemd-nspawn", "slirp4netns", "ip"));

    assertThat(a.isAvailable()).isTrue();
    assertThat(((Availability.Available) a).detail()).contains("systemd-nspawn").contains("slirp4netns")
        .endsWith("ranked below microvm: a VM isolates better than a container");
  }

  @Test
  void ranksBelowMicrovmSoAutoSelectionPicksAVmWhenBothRun() {
    assertThat(new NspawnBackendProvider().priority()).isLessThan(new MicrovmBackendProvider().priority()).isPositive();
    BackendInfo nspawn = Qubix.backends().stream().filter(b -> b.name().equals("nspawn")).findFirst().orElseThrow();
    assertThat(nspawn.priority()).isEqualTo(NspawnBackendProvider.PRIORITY);
  }

  @Test
  void anUnavailableNspawnRefusesEveryChangeBeforeTouchingAnything() throws Exception {
    Path manifest = TestManifest.machine("box").withHomeDisk(64).withImage("nspawn", "rootfs", tmp.resolve("rootfs"))
        .writeTo(tmp.resolve("m.json"));
    Appliance box = Qubix.appliance("box").withManifest(manifest).withStateDir(tmp.resolve("state"))
        .withBackend(new NspawnBackendProvider(probe(1000, Optional.empty())));

    assertThatThrownBy(box::up).isInstanceOf(BackendUnavailableException.class).hasMessageContaining("not root (uid 1000)");
    assertThatThrownBy(() -> box.destroy(Purge.EVERYTHING)).isInstanceOf(BackendUnavailableException.class);
    assertThat(box.plan(Operation.RECREATE).steps()).isNotEmpty();
    assertThat(tmp.resolve("state")).doesNotExist();
  }

  @Test
  void aDiskImageForNspawnIsRefusedWhenTheManifestIsRead() throws Exception {
    Path manifest = TestManifest.machine("box").withImage("nspawn", "qcow2", tmp.resolve("box.qcow2")).writeTo(tmp.resolve("m.json"));

    assertThatThrownBy(() -> Qubix.appliance("box").withManifest(manifest).withBackend("nspawn").manifest())
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("/machines/box/images/nspawn/format: 'qcow2' is not a container image: nspawn boots rootfs");
  }
}
