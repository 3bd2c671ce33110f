package dev.qubix.nix.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.QubixException;
import org.junit.jupiter.api.Test;

/** The {@code nix build --json} result, as Nix 2.8 prints it and as newer Nix does (more fields). */
class BuildOutputsTest {

  @Test
  void nix28Result() {
    String out = "[{\"drvPath\":\"/nix/store/3rj-aaa.drv\",\"outputs\":{\"out\":\"/nix/store/yp2-aaa\"}},"
        + "{\"drvPath\":\"/nix/store/97n-bbb.drv\",\"outputs\":{\"out\":\"/nix/store/l0m-bbb\"}}]\n";

    assertThat(BuildOutputs.parse(out, 2)).containsExactly("/nix/store/yp2-aaa", "/nix/store/l0m-bbb");
  }

  @Test
  void unknownFieldsOfNewerNixAndCarriageReturnsAreIgnored() {
    String out = "[{\"drvPath\":\"/nix/store/3rj-aaa.drv\",\"outputs\":{\"out\":\"/nix/store/yp2-aaa\",\"dev\":\"/nix/store/q-dev\"},"
        + "\"startTime\":1732800000,\"stopTime\":1732800003,\"cpuUser\":1.5,\"cpuSystem\":0.2,\"future\":{\"x\":[1]}}]\r\n";

    assertThat(BuildOutputs.parse(out, 1)).containsExactly("/nix/store/yp2-aaa");
  }

  @Test
  void identicalDerivationsAreReportedOnce() {
    String out = "[{\"drvPath\":\"/nix/store/3rj-aaa.drv\",\"outputs\":{\"out\":\"/nix/store/yp2-aaa\"}}]";

    assertThat(BuildOutputs.parse(out, 2)).containsExactly("/nix/store/yp2-aaa");
  }

  @Test
  void anythingElseIsAClearError() {
    assertThatThrownBy(() -> BuildOutputs.parse("warning: not json", 1)).isInstanceOf(QubixException.class)
        .hasMessageContaining("not json");
    assertThatThrownBy(() -> BuildOutputs.parse("", 1)).isInstanceOf(QubixException.class);
    assertThatThrownBy(() -> BuildOutputs.parse("[{\"outputs\":{\"bin\":\"/nix/store/a-b\"}}]", 1))
        .isInstanceOf(QubixException.class).hasMessageContaining("outputs.out");
    assertThatThrownBy(() -> BuildOutputs.parse("[{\"outputs\":{\"out\":\"/etc\"}}]", 1))
        .isInstanceOf(QubixException.class);
  }
}
