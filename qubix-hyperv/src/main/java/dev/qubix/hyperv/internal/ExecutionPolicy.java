package dev.qubix.hyperv.internal;

/**
 * Recognises PowerShell's refusal to run a script. A Group Policy execution policy (AllSigned,
 * RemoteSigned) overrides {@code -ExecutionPolicy Bypass}; the reason is printed to stderr, in the
 * user's language, but with the untranslated error ID and help topic.
 */
public final class ExecutionPolicy {
  public static final String FIX = "a Group Policy sets it (Get-ExecutionPolicy -List shows MachinePolicy or UserPolicy), "
      + "and -ExecutionPolicy Bypass cannot override that. Qubix runs its scripts from %LOCALAPPDATA%\\Qubix\\scripts, so "
      + "RemoteSigned allows them; under AllSigned ask your administrator to allow that folder or to sign the scripts";

  private ExecutionPolicy() {}

  public static boolean blocked(String stderr) {
    return stderr != null && (stderr.contains("about_Execution_Policies")
        || (stderr.contains("PSSecurityException") && stderr.contains("UnauthorizedAccess")));
  }
}
