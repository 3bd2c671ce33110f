package dev.qubix.hyperv.internal;

import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.COM.WbemcliUtil;
import com.sun.jna.platform.win32.Ole32;
import java.util.Arrays;
import java.util.Optional;

/**
 * What only Windows can answer, through jna-platform: elevation (administrator, or member of
 * Hyper-V Administrators by its well-known SID — the group's name is localized) and the VM state
 * from WMI in milliseconds, without starting PowerShell. Loaded only on Windows.
 */
public final class WindowsHost {
  static final String HYPERV_ADMINISTRATORS_SID = "S-1-5-32-578";

  private WindowsHost() {}

  public static boolean mayManageHyperV() {
    if (Advapi32Util.isCurrentProcessElevated()) {
      return true;
    }
    return Arrays.stream(Advapi32Util.getCurrentUserGroups()).anyMatch(g -> HYPERV_ADMINISTRATORS_SID.equals(g.sidString));
  }

  enum VmProperty { ElementName, EnabledState }

  /** EnabledState of the VM named {@code vmName}, or empty when there is none or WMI is unavailable. */
  public static Optional<Integer> enabledState(String vmName) {
    Ole32.INSTANCE.CoInitializeEx(null, Ole32.COINIT_MULTITHREADED);
    try {
      // vmName passed validation ([A-Za-z0-9._-]), so it cannot break out of the WQL string
      WbemcliUtil.WmiQuery<VmProperty> q = new WbemcliUtil.WmiQuery<>("ROOT\\virtualization\\v2",
          "Msvm_ComputerSystem WHERE Caption='Virtual Machine' AND ElementName='" + vmName + "'", VmProperty.class);
      WbemcliUtil.WmiResult<VmProperty> r = q.execute();
      if (r.getResultCount() == 0) {
        return Optional.empty();
      }
      Object v = r.getValue(VmProperty.EnabledState, 0);
      return v instanceof Number n ? Optional.of(n.intValue()) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    } finally {
      Ole32.INSTANCE.CoUninitialize();
    }
  }
}
