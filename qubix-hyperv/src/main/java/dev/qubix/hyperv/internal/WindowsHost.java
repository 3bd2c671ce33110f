package dev.qubix.hyperv.internal;

import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.COM.WbemcliUtil;
import com.sun.jna.platform.win32.Ole32;
import com.sun.jna.platform.win32.W32Errors;
import com.sun.jna.platform.win32.WinNT;
import java.util.Arrays;

/**
 * What only Windows can answer, through jna-platform: elevation (administrator, or member of
 * Hyper-V Administrators by its well-known SID — the group's name is localized) and a VM's state
 * from WMI in milliseconds, without starting PowerShell. Called only when the JVM runs on Windows.
 */
public final class WindowsHost {
  static final String HYPERV_ADMINISTRATORS_SID = "S-1-5-32-578";
  private static final int WMI_TIMEOUT_MS = 5_000;

  private WindowsHost() {}

  /** What WMI said about one VM. */
  public sealed interface WmiVm permits WmiVm.Found, WmiVm.Absent, WmiVm.Unreadable {
    /** {@code enabledState} as Msvm_ComputerSystem.EnabledState; uptime in ms, -1 when unknown. */
    record Found(int enabledState, long uptimeMillis) implements WmiVm {}

    record Absent() implements WmiVm {}

    /** WMI could not be asked (no rights on root\virtualization\v2, service down): ask PowerShell. */
    record Unreadable(String why) implements WmiVm {}
  }

  public static boolean mayManageHyperV() {
    if (Advapi32Util.isCurrentProcessElevated()) {
      return true;
    }
    return Arrays.stream(Advapi32Util.getCurrentUserGroups()).anyMatch(g -> HYPERV_ADMINISTRATORS_SID.equals(g.sidString));
  }

  public static boolean isElevated() {
    return Advapi32Util.isCurrentProcessElevated();
  }

  enum VmProperty { Name, ElementName, EnabledState, OnTimeInMilliseconds }

  public static WmiVm vm(String vmName) {
    String where = WmiVmQuery.condition(vmName);
    WinNT.HRESULT init = Ole32.INSTANCE.CoInitializeEx(null, Ole32.COINIT_MULTITHREADED);
    // RPC_E_CHANGED_MODE: this thread already has COM in another mode, usable but not ours to uninitialize
    boolean ours = W32Errors.SUCCEEDED(init.intValue());
    try {
      WbemcliUtil.WmiQuery<VmProperty> q = new WbemcliUtil.WmiQuery<>(WmiVmQuery.NAMESPACE,
          "Msvm_ComputerSystem WHERE " + where, VmProperty.class);
      WbemcliUtil.WmiResult<VmProperty> r = q.execute(WMI_TIMEOUT_MS);
      for (int i = 0; i < r.getResultCount(); i++) {
        if (!WmiVmQuery.isVm(r.getValue(VmProperty.Name, i))) {
          continue;
        }
        Object state = r.getValue(VmProperty.EnabledState, i);
        if (!(state instanceof Number n)) {
          return new WmiVm.Unreadable("EnabledState is " + state);
        }
        return new WmiVm.Found(n.intValue(), WmiVmQuery.uptimeMillis(r.getValue(VmProperty.OnTimeInMilliseconds, i)));
      }
      return new WmiVm.Absent();
    } catch (Exception | LinkageError e) {
      return new WmiVm.Unreadable(e.toString());
    } finally {
      if (ours) {
        Ole32.INSTANCE.CoUninitialize();
      }
    }
  }
}
