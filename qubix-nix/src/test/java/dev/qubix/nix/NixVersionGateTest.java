package dev.qubix.nix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.BackendUnavailableException;
import dev.qubix.exec.ProcessCommandRunner;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import dev.qubix.nix.internal.NixVersion;
import dev.qubix.spi.BuildContext;
import dev.qubix.spi.HostInfo;
import dev.qubix.testing.TestNix;
import dev.qubix.testing.TinyGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nixpkgs 25.11 needs Nix 2.18: a flake locking nixpkgs on an older Nix gets the versions and the
 * fix before anything is built, nixpkgs' own refusal is said the same way, and input-free flakes keep
 * building on whatever Nix the lane has.
 */
class NixVersionGateTest {
  @TempDir Path tmp;

  @AfterEach
  void tearDown() {
    System.clearProperty("qubix.nix");
  }

  private BuildContext context(Path flake) {
    return BuildContext.of(flake, tmp.resolve("state"), new ProcessCommandRunner(e -> { }), e -> { },
        Duration.ofMinutes(2), HostInfo.current(), List.of());
  }

  /** A stand-in nix: says it is {@code version}, logs every call, and fails builds with {@code buildError}. */
  private Path fakeNix(String name, String version, String buildError) throws Exception {
    Path nix = tmp.resolve(name);
    Files.writeString(nix, "#!/bin/sh\necho \"$*\" >> '" + tmp.resolve(name + ".log") + "'\n"
        + "if [ \"$1\" = --version ]; then echo 'nix (Nix) " + version + "'; exit 0; fi\n"
        + "echo '" + buildError + "' >&2; exit 1\n");
    Files.setPosixFilePermissions(nix, PosixFilePermissions.fromString("rwx------"));
    return nix;
  }

  private static final String LOCK = """
      {"nodes": {"nixpkgs": {"locked": {"owner": "NixOS", "repo": "nixpkgs", "rev": "26ef669c", "type": "github"},
        "original": {"owner": "NixOS", "ref": "nixos-25.11", "repo": "nixpkgs", "type": "github"}},
        "root": {"inputs": {"nixpkgs": "nixpkgs"}}}, "root": "root", "version": 7}
      """;

  @Test
  void aFlakeLockingNixpkgsOnNixOlderThan218IsRefusedBeforeAnyBuild() throws Exception {
    Path flake = TinyGuest.placeholderFlake(tmp.resolve("flake"), "");
    Files.writeString(flake.resolve("flake.lock"), LOCK);
    System.setProperty("qubix.nix", fakeNix("old-nix", "2.8.0", "unreachable").toString());

    assertThatThrownBy(() -> new NixBuilder().manifestJson(context(flake)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("Nix 2.8.0 is too old").hasMessageContaining("2.18")
        .hasMessageContaining("Debian 13's nix-bin").hasMessageContaining("NixOS-WSL")
        .hasMessageContaining("flake.lock");
    assertThat(Files.readAllLines(tmp.resolve("old-nix.log"))).containsExactly("--version");
  }

  @Test
  void nixpkgsOwnRefusalIsSaidWithTheVersionsAndTheFix() throws Exception {
    Path flake = TinyGuest.placeholderFlake(tmp.resolve("flake"), "");
    System.setProperty("qubix.nix", fakeNix("refused-nix", "2.17.1",
        "error: nixpkgs requires at least Nix 2.18 (builtins.nixVersion reports at least 2.18)").toString());

    assertThatThrownBy(() -> new NixBuilder().manifestJson(context(flake)))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("Nix 2.17.1 is too old").hasMessageContaining("requires at least Nix 2.18");
  }

  @Test
  void aNewEnoughNixIsNotStoppedByTheLock() throws Exception {
    Path flake = TinyGuest.placeholderFlake(tmp.resolve("flake"), "");
    Files.writeString(flake.resolve("flake.lock"), LOCK);
    System.setProperty("qubix.nix", fakeNix("new-nix", "2.26.3", "error: the build itself failed").toString());

    assertThatThrownBy(() -> new NixBuilder().manifestJson(context(flake)))
        .isNotInstanceOf(BackendUnavailableException.class).hasMessageContaining("the build itself failed");
    assertThat(Files.readAllLines(tmp.resolve("new-nix.log"))).first().isEqualTo("--version");
  }

  @Test
  void inputFreeFlakesBuildOnThisLanesNixWithoutReadingItsVersion() throws Exception {
    Path nix = TestNix.announce("NixVersionGateTest");
    Path flake = TinyGuest.placeholderFlake(tmp.resolve("flake"), "");
    Path calls = tmp.resolve("calls.log");
    System.setProperty("qubix.nix", CountingNix.wrapper(tmp, nix, calls).toString());
    NixBuilder builder = new NixBuilder();

    MachineManifest m = ManifestReader.read(builder.manifestJson(context(flake)), "box");
    builder.build(context(flake), m, Set.of("microvm"));

    assertThat(Files.readAllLines(calls)).hasSize(2).noneMatch(l -> l.contains("--version"));
  }

  @Test
  void versionsOfEveryKnownSpellingParse() {
    assertThat(NixVersion.parse("nix (Nix) 2.8.0")).extracting(NixVersion::major, NixVersion::minor, NixVersion::patch)
        .containsExactly(2, 8, 0);
    assertThat(NixVersion.parse("nix (Nix) 2.26.3\n").isAtLeast(NixVersion.NIXPKGS_MINIMUM)).isTrue();
    assertThat(NixVersion.parse("nix (Lix, like Nix) 2.91.1").minor()).isEqualTo(91);
    assertThat(NixVersion.parse("nix (Nix) 2.17.1").isAtLeast(NixVersion.NIXPKGS_MINIMUM)).isFalse();
  }
}
