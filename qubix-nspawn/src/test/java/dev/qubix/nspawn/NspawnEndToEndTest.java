package dev.qubix.nspawn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.Appliance;
import dev.qubix.ConnectOptions;
import dev.qubix.Connection;
import dev.qubix.Instance;
import dev.qubix.InstanceStatus;
import dev.qubix.Purge;
import dev.qubix.spi.X224Probe;
import dev.qubix.testing.TestNix;
import dev.qubix.testing.TinyContainer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny container's life through the public API, built from its flake by Nix: up (boot 1) →
 * connect → recreate (boot 2, a fresh system layer, the same home) → destroy keeping home → up
 * (boot 3) → stop and start (the system layer kept) → destroy --purge.
 */
class NspawnEndToEndTest {
  @TempDir static Path shared;
  static Path flake;
  @TempDir Path state;

  @BeforeAll
  static void tinyContainer() {
    NspawnHost.require();
    TestNix.select("NspawnEndToEndTest");
    flake = TinyContainer.flake(shared.resolve("flake"));
  }

  Set<String> namespacesBefore = NspawnHost.namespaces();

  @AfterEach
  void noContainerOrSlirpLeft() {
    assertThat(NspawnHost.leftovers(state)).as("systemd-nspawn or slirp4netns left running").isEmpty();
    assertThat(NspawnHost.namespacesLeft(namespacesBefore)).as("network namespaces left").isEmpty();
  }

  private Appliance tiny() {
    return TinyContainer.appliance(flake, state);
  }

  private Path vm() {
    return state.resolve(TinyContainer.VM_NAME);
  }

  private int marker(String name) throws Exception {
    String log = Files.readString(vm().resolve("console.log"));
    int at = log.lastIndexOf(name + "=");
    return Integer.parseInt(log.substring(at + name.length() + 1).lines().findFirst().orElseThrow().strip());
  }

  @Test
  void upConnectRecreateDestroyKeepingHomeUpAgainAndPurge() throws Exception {
    Connection c = tiny().up().connect(ConnectOptions.defaults().withoutClient().withTimeout(Duration.ofSeconds(60)));

    assertThat(c.endpoint().host()).isEqualTo("127.0.0.1");
    assertThat(X224Probe.answers(c.endpoint(), Duration.ofSeconds(5))).isTrue();
    assertThat(TinyContainer.homeBootCount(state, TinyContainer.VM_NAME)).isEqualTo(1);
    assertThat(tiny().status()).get().satisfies(s -> {
      assertThat(s.state()).isEqualTo(InstanceStatus.State.RUNNING);
      assertThat(s.backend()).isEqualTo("nspawn");
      assertThat(s.uptime()).isPresent();
      assertThat(s.details()).containsKeys("pid", "initPid", "address").containsEntry("rdp", "127.0.0.1:" + c.endpoint().port());
    });
    Object home = Files.readAttributes(vm().resolve("home"), "unix:ino");

    Instance recreated = tiny().build().recreate();
    recreated.connect(ConnectOptions.defaults().withoutClient().withTimeout(Duration.ofSeconds(60)));

    assertThat(TinyContainer.homeBootCount(state, TinyContainer.VM_NAME)).as("boots counted in the kept home").isEqualTo(2);
    assertThat(marker("QUBIX-SYSTEM-MARKER")).as("a fresh system layer counts from 1 again").isEqualTo(1);
    assertThat(Files.readAttributes(vm().resolve("home"), "unix:ino")).isEqualTo(home);
    assertThat(recreated.endpoint()).isEqualTo(c.endpoint());

    recreated.destroy(Purge.KEEP_HOME);

    assertThat(tiny().status()).isEmpty();
    assertThat(vm().resolve("root")).doesNotExist();
    assertThat(vm().resolve("home/qubix-boot-count")).hasContent("2\n");

    Instance again = tiny().up();
    again.connect(ConnectOptions.defaults().withoutClient().withTimeout(Duration.ofSeconds(60)));

    assertThat(TinyContainer.homeBootCount(state, TinyContainer.VM_NAME)).isEqualTo(3);
    assertThat(TinyContainer.bootCounts(state, TinyContainer.VM_NAME)).as("console of this system layer").containsExactly(3);
    assertThat(again.endpoint()).as("the port is kept until a purge").isEqualTo(c.endpoint());

    again.stop();
    assertThat(tiny().status()).get().extracting(InstanceStatus::state).isEqualTo(InstanceStatus.State.STOPPED);
    assertThat(Files.readString(vm().resolve("console.log"))).contains("QUBIX-POWEROFF");
    again.start().connect(ConnectOptions.defaults().withoutClient().withTimeout(Duration.ofSeconds(60)));

    assertThat(marker("QUBIX-SYSTEM-MARKER")).as("stop and start keep the system layer").isEqualTo(2);
    assertThat(TinyContainer.homeBootCount(state, TinyContainer.VM_NAME)).isEqualTo(4);

    tiny().destroy(Purge.EVERYTHING);

    assertThat(tiny().status()).isEmpty();
    assertThat(vm()).doesNotExist();
  }

  @Test
  void theSecretReachesTheGuestAsACredentialNeverOnACommandLineAndTheFolderIsPrivate() throws Exception {
    tiny().up().connect(ConnectOptions.defaults().withoutClient().withTimeout(Duration.ofSeconds(60)));
    try {
      String secret = Files.readString(vm().resolve("rdp-password"));
      String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes()));

      assertThat(Files.readString(vm().resolve("console.log"))).contains("QUBIX-CREDENTIAL-SHA256=" + sha);
      assertThat(TinyContainer.processesUnder(state)).hasSize(2)
          .allSatisfy(p -> assertThat(p.info().commandLine().orElseThrow()).doesNotContain(secret));
      assertThat(perms(vm())).isEqualTo("rwx------");
      for (String file : new String[] {"rdp-password", "ports.json", "console.log", "slirp4netns.log", "nspawn.pid",
          "container-image", "machine"}) {
        assertThat(perms(vm().resolve(file))).as(file).isEqualTo("rw-------");
      }
      assertThat(perms(vm().resolve("home"))).as("the guest's users reach their folders; the VM folder keeps others out")
          .isEqualTo("rwxr-xr-x");
    } finally {
      tiny().destroy(Purge.EVERYTHING);
    }
  }

  private static String perms(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }
}
