package dev.qubix.nspawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.Appliance;
import dev.qubix.Purge;
import dev.qubix.Qubix;
import dev.qubix.QubixException;
import dev.qubix.testing.TestManifest;
import dev.qubix.testing.TinyContainer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input that cannot boot is refused with a clear error before anything starts or changes. */
class NspawnBadInputTest {
  @TempDir static Path shared;
  static Path rootfs;
  @TempDir Path tmp;
  Path state;

  @BeforeAll
  static void tinyRootfs() {
    NspawnHost.require();
    rootfs = TinyContainer.prebuiltRootfs(TinyContainer.flake(shared.resolve("flake")), shared.resolve("build"));
  }

  @BeforeEach
  void stateFolder() {
    state = tmp.resolve("state");
  }

  Set<String> namespacesBefore = NspawnHost.namespaces();

  @AfterEach
  void nothingStarted() {
    assertThat(NspawnHost.leftovers(state)).as("systemd-nspawn or slirp4netns left running").isEmpty();
    assertThat(NspawnHost.namespacesLeft(namespacesBefore)).as("network namespaces left").isEmpty();
  }

  private Appliance on(TestManifest m) {
    return Qubix.appliance(TinyContainer.MACHINE).withManifest(m.writeTo(tmp.resolve("m.json")))
        .withBackend(new NspawnBackendProvider()).withStateDir(state);
  }

  private void assertNothingCreated() {
    assertThat(state.resolve(TinyContainer.VM_NAME).resolve("container-image")).doesNotExist();
    assertThat(state.resolve(TinyContainer.VM_NAME).resolve("root")).doesNotExist();
  }

  @Test
  void aRootfsWithoutSbinInitIsRefused() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("no-init/bin"));
    Files.createSymbolicLink(empty.resolve("sh"), Path.of("/bin/busybox"));

    assertThatThrownBy(() -> on(TinyContainer.manifest(empty.getParent())).up())
        .isInstanceOf(QubixException.class).hasMessageContaining("has no executable /sbin/init");
    assertNothingCreated();
  }

  @Test
  void aSbinInitLinkingToAHostProgramIsRefused() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("host-link/sbin"));
    Files.createSymbolicLink(root.resolve("init"), Path.of("/bin/sh"));   // the host's, not the rootfs's

    assertThatThrownBy(() -> on(TinyContainer.manifest(root.getParent())).up())
        .isInstanceOf(QubixException.class).hasMessageContaining("has no executable /sbin/init");
    assertNothingCreated();
  }

  @Test
  void aNixosToplevelWithoutInitIsRefused() throws Exception {
    Path toplevel = Files.createDirectories(tmp.resolve("toplevel/sw"));

    assertThatThrownBy(() -> on(TinyContainer.manifest(rootfs).withImage("nspawn", "nixos-system", toplevel.getParent())).up())
        .isInstanceOf(QubixException.class).hasMessageContaining("has no init: build the toplevel");
    assertNothingCreated();
  }

  @Test
  void aHomeThatLinksOutOfTheVmFolderIsRefusedAndItsTargetUntouched() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path vm = Files.createDirectories(state.resolve(TinyContainer.VM_NAME));
    Files.createSymbolicLink(vm.resolve("home"), outside);

    assertThatThrownBy(() -> on(TinyContainer.manifest(rootfs)).up())
        .isInstanceOf(QubixException.class).hasMessageContaining("is a link (to " + outside + ")");
    assertNothingCreated();
    try (var left = Files.list(outside)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void aKeptPortThatAnotherProcessHoldsIsRefusedBeforeTheContainerIsTouched() throws Exception {
    Appliance tiny = on(TinyContainer.manifest(rootfs));
    int port = tiny.up().endpoint().port();
    tiny.destroy(Purge.KEEP_HOME);

    try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(tiny::up).isInstanceOf(QubixException.class)
          .hasMessageContaining("port " + port + " on 127.0.0.1").hasMessageContaining("is used by another process");
    }
    assertNothingCreated();
    tiny.destroy(Purge.EVERYTHING);
  }
}
