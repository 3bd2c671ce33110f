package dev.qubix.hyperv.internal;

import java.util.regex.Pattern;

/** The pure part of the WMI status read: the query text and the value conversions. */
public final class WmiVmQuery {
  public static final String NAMESPACE = "ROOT\\virtualization\\v2";
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private WmiVmQuery() {}

  /**
   * The WQL condition for one VM. The name passed manifest validation already; it is checked again
   * because this is the one place where a value becomes query text.
   */
  public static String condition(String vmName) {
    if (vmName == null || !SAFE_NAME.matcher(vmName).matches()) {
      throw new IllegalArgumentException("not a VM name: " + vmName);
    }
    // not Caption='Virtual Machine': Caption is translated ("Virtuell dator"; containers/libhvee#52).
    // The host's own Msvm_ComputerSystem has its computer name as Name; VMs have a GUID (isVm).
    return "ElementName='" + vmName + "'";
  }

  private static final Pattern GUID = Pattern.compile("(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** Whether an Msvm_ComputerSystem row is a VM: its Name is the VM's GUID. */
  public static boolean isVm(Object name) {
    return name instanceof String s && GUID.matcher(s).matches();
  }

  /** WMI hands uint64 over as a string (a VARIANT has no unsigned 64-bit type); -1 when unknown. */
  public static long uptimeMillis(Object v) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    if (v instanceof String s && s.matches("\\d{1,18}")) {
      return Long.parseLong(s);
    }
    return -1;
  }
}
