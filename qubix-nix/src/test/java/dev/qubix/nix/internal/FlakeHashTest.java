package dev.qubix.nix.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest cache key: every file of the flake directory, path and content; not .git, not result links. */
class FlakeHashTest {
  @TempDir Path flake;
  String before;

  @BeforeEach
  void flake() throws Exception {
    Files.writeString(flake.resolve("flake.nix"), "{ outputs = _: { }; }");
    Files.writeString(flake.resolve("flake.lock"), "{\"nodes\":{}}");
    Files.createDirectories(flake.resolve("machines"));
    Files.writeString(flake.resolve("machines/box.nix"), "{ }");
    before = FlakeHash.of(flake);
  }

  @Test
  void stableWhileNothingChanges() {
    assertThat(FlakeHash.of(flake)).isEqualTo(before).hasSize(64);
  }

  @Test
  void contentEditsNewFilesRenamesAndLockUpdatesChangeIt() throws Exception {
    Files.writeString(flake.resolve("machines/box.nix"), "{ qubix.vm.cpuCount = 2; }");
    String edited = FlakeHash.of(flake);
    Files.writeString(flake.resolve("machines/new.nix"), "{ }");
    String added = FlakeHash.of(flake);
    Files.move(flake.resolve("machines/new.nix"), flake.resolve("machines/renamed.nix"));
    String renamed = FlakeHash.of(flake);
    Files.writeString(flake.resolve("flake.lock"), "{\"nodes\":{\"nixpkgs\":{}}}");
    String locked = FlakeHash.of(flake);

    assertThat(java.util.List.of(before, edited, added, renamed, locked)).doesNotHaveDuplicates();
  }

  @Test
  void gitAndResultLinksDoNotCount() throws Exception {
    Files.createDirectories(flake.resolve(".git/objects"));
    Files.writeString(flake.resolve(".git/HEAD"), "ref: refs/heads/main");
    Files.createSymbolicLink(flake.resolve("result"), Path.of("/nix/store/abc-x"));
    Files.createSymbolicLink(flake.resolve("result-1"), Path.of("/nix/store/def-y"));

    assertThat(FlakeHash.of(flake)).isEqualTo(before);
  }

  @Test
  void movingContentBetweenFilesChangesIt() throws Exception {
    // path and content are separated, so "a"+"bc" and "ab"+"c" differ
    Files.writeString(flake.resolve("a"), "bc");
    String one = FlakeHash.of(flake);
    Files.delete(flake.resolve("a"));
    Files.writeString(flake.resolve("ab"), "c");

    assertThat(FlakeHash.of(flake)).isNotEqualTo(one);
  }

  // ---- the stat cache: content is re-read only for files whose stat changed ----

  @TempDir Path cache;

  private void ageEveryFile() throws Exception {
    java.nio.file.attribute.FileTime hourAgo = java.nio.file.attribute.FileTime.from(
        java.time.Instant.now().minusSeconds(3600));
    try (var all = Files.walk(flake)) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(p, hourAgo);
      }
    }
  }

  @Test
  void withTheStatCacheAWarmKeyReadsNoContentAndEqualsTheFullHash() throws Exception {
    ageEveryFile();
    FlakeHash cached = FlakeHash.cachedIn(cache);

    String cold = cached.key(flake);
    long coldBytes = cached.bytesHashed();
    String warm = cached.key(flake);

    assertThat(cold).isEqualTo(FlakeHash.of(flake)).isEqualTo(warm);
    assertThat(coldBytes).isPositive();
    assertThat(cached.bytesHashed()).isZero();
    assertThat(FlakeHash.cachedIn(cache).key(flake)).as("a fresh process reads the same cache").isEqualTo(warm);
  }

  @Test
  void anEditThatKeepsSizeAndMtimeIsStillSeen() throws Exception {
    ageEveryFile();
    FlakeHash cached = FlakeHash.cachedIn(cache);
    String first = cached.key(flake);
    Path box = flake.resolve("machines/box.nix");
    java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(box);

    Files.writeString(box, "{ }".replace(' ', '\t'));   // same size
    Files.setLastModifiedTime(box, mtime);              // same mtime: only ctime tells

    assertThat(cached.key(flake)).isNotEqualTo(first).isEqualTo(FlakeHash.of(flake));
  }

  @Test
  void newFilesRenamesAndTouchesAreSeenThroughTheStatCache() throws Exception {
    ageEveryFile();
    FlakeHash cached = FlakeHash.cachedIn(cache);
    String first = cached.key(flake);

    Files.writeString(flake.resolve("machines/new.nix"), "{ }");
    String added = cached.key(flake);
    Files.move(flake.resolve("machines/new.nix"), flake.resolve("machines/renamed.nix"));
    String renamed = cached.key(flake);
    Files.setLastModifiedTime(flake.resolve("flake.nix"), java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
    String touched = cached.key(flake);

    assertThat(java.util.List.of(first, added, renamed)).doesNotHaveDuplicates();
    assertThat(renamed).isEqualTo(touched).as("a touch re-reads the file; same content, same key");
    assertThat(cached.bytesHashed()).as("the touched file was read again").isPositive();
    assertThat(touched).isEqualTo(FlakeHash.of(flake));
  }
}
