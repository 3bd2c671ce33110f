package dev.qubix.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qubix.InstanceStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LogsTest {
  @Test
  void aHyperVVmWithoutAConsoleLogSaysHowToAddAComPipe() {
    InstanceStatus vm = new InstanceStatus("qubix-spotibox", "hyperv", InstanceStatus.State.RUNNING, List.of(),
        Optional.empty(), Map.of());

    String message = Commands.Logs.noConsole(vm);

    assertThat(message).startsWith("Hyper-V keeps no console log")
        .contains("Set-VMComPort -VMName qubix-spotibox -Number 1 -Path \\\\.\\pipe\\qubix-spotibox-com1")
        .contains("qubixctl connect");
  }

  @Test
  void aStorePathIsShortenedToItsHashPrefixAndName() {
    assertThat(Commands.Ls.shortImage("/nix/store/5j4f0qfb7ir2hc775dbblkc8k0ls8vxk-qubix-tiny-direct"))
        .isEqualTo("5j4f0qfb…-qubix-tiny-direct");
    assertThat(Commands.Ls.shortImage("/srv/images/system.qcow2")).isEqualTo("system.qcow2");
  }
}
