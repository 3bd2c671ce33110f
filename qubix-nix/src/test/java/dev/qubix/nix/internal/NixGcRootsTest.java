package dev.qubix.nix.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NixGcRootsTest {
  @Test
  void aFileInsideAStorePathRootsTheWholeStoreObject() {
    assertThat(NixGcRoots.storeObject("/nix/store/abc-test-vhdx/nixos-image-hyperv.vhdx")).isEqualTo("/nix/store/abc-test-vhdx");
    assertThat(NixGcRoots.storeObject("/nix/store/abc-tiny-direct")).isEqualTo("/nix/store/abc-tiny-direct");
    assertThat(NixGcRoots.storeObject("/srv/images/disk.qcow2")).isEqualTo("/srv/images/disk.qcow2");
  }
}
