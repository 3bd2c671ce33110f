package dev.qubix.hyperv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qubix.QubixException;
import dev.qubix.hyperv.internal.HyperVSecrets;
import dev.qubix.manifest.MachineManifest;
import dev.qubix.manifest.ManifestReader;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The VM's RDP secret in the credential store: its life from first create to purge, on a fake store. */
class HyperVSecretsTest {
  private static final String OWN = "Qubix/rdp-password/C:\\HyperV\\Qubix\\qubix-spotibox";
  private final FakeCredentialStore store = new FakeCredentialStore(true);
  private final HyperVSecrets secrets = new HyperVSecrets(store);
  private final MachineManifest m = Fixtures.dhcp();

  @Test
  void theFirstCreateMakesA192BitSecretAndLaterOnesKeepIt() {
    String first = secrets.ensure(m);
    String again = secrets.ensure(m);

    assertThat(Base64.getUrlDecoder().decode(first)).hasSize(24);
    assertThat(again).isEqualTo(first);
    assertThat(store.get(OWN)).hasValueSatisfying(c -> {
      assertThat(c.secret()).isEqualTo(first);
      assertThat(c.user()).isEqualTo("rdp");
      assertThat(c.comment()).doesNotContain(first);
    });
  }

  @Test
  void everyVmGetsItsOwnSecret() {
    Set<String> made = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      MachineManifest vm = ManifestReader.read(Fixtures.DHCP, "spotibox", "{\"vmName\": \"qubix-vm" + i + "\"}");
      made.add(secrets.ensure(vm));
    }

    assertThat(made).hasSize(50);
  }

  @Test
  void twoVmRootsWithTheSameVmNameKeepTheirSecretsApart() {
    MachineManifest other = ManifestReader.read(Fixtures.DHCP, "spotibox", "{\"hyperv\": {\"vmRoot\": \"D:\\\\Qubix\"}}");

    assertThat(secrets.ensure(other)).isNotEqualTo(secrets.ensure(m));
    assertThat(HyperVSecrets.target(other)).isEqualTo("Qubix/rdp-password/D:\\Qubix\\qubix-spotibox");
  }

  @Test
  void rotateReplacesTheSecretAndDropsTheLoginsThatCarryTheOldOne() {
    String old = secrets.ensure(m);
    secrets.login(m, "172.21.5.7", old);

    secrets.rotate(m);

    assertThat(secrets.read(m)).isPresent().get().isNotEqualTo(old);
    assertThat(store.get("TERMSRV/172.21.5.7")).isEmpty();
  }

  @Test
  void loginWritesTheTermsrvCredentialMstscLooksUpAndForgetsTheVmsOldAddress() {
    String s = secrets.ensure(m);
    store.write("TERMSRV/fileserver", "me", "their-own-password", "written by the user");

    assertThat(secrets.login(m, "172.21.5.7", s)).isTrue();
    assertThat(secrets.login(m, "172.21.9.9", s)).isTrue();

    assertThat(store.get("TERMSRV/172.21.9.9")).hasValueSatisfying(c -> {
      assertThat(c.secret()).isEqualTo(s);
      assertThat(c.user()).isEqualTo("spotibox\\rdp");
      assertThat(c.comment()).isEqualTo("Qubix: RDP login of the VM C:\\HyperV\\Qubix\\qubix-spotibox");
    });
    assertThat(store.get("TERMSRV/172.21.5.7")).as("the VM's stale address").isEmpty();
    assertThat(store.get("TERMSRV/fileserver")).as("a credential Qubix did not write").isPresent();
  }

  @Test
  void aStoreMstscCannotReadGetsNoLogin() {
    FakeCredentialStore wsl = new FakeCredentialStore(false);
    HyperVSecrets fromWsl = new HyperVSecrets(wsl);

    assertThat(fromWsl.login(m, "172.21.5.7", fromWsl.ensure(m))).isFalse();
    assertThat(wsl.list("TERMSRV/")).isEmpty();
  }

  @Test
  void purgeForgetsTheSecretAndTheVmsLoginsOnly() {
    secrets.login(m, "172.21.5.7", secrets.ensure(m));
    MachineManifest other = ManifestReader.read(Fixtures.DHCP, "spotibox", "{\"vmName\": \"qubix-other\"}");
    secrets.login(other, "172.21.5.8", secrets.ensure(other));

    secrets.forget(m);

    assertThat(secrets.read(m)).isEmpty();
    assertThat(store.get("TERMSRV/172.21.5.7")).isEmpty();
    assertThat(secrets.read(other)).isPresent();
    assertThat(store.get("TERMSRV/172.21.5.8")).isPresent();
  }

  @Test
  void aStoredValueQubixDidNotMakeIsRefusedWithoutBeingEchoed() {
    store.write(OWN, "rdp", "pass word:with:colons", "hand-edited");

    assertThatThrownBy(() -> secrets.read(m)).isInstanceOf(QubixException.class)
        .hasMessageContaining(OWN).hasMessageContaining("secret rotate").hasMessageNotContaining("colons");
  }
}
