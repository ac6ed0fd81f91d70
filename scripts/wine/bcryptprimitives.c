/*
 * bcryptprimitives.dll for wine 8 (Debian 12), which lacks it: Go programs since Go 1.24
 * get their random bytes from ProcessPrng in this DLL, which every Windows since 10
 * ships. This stand-in takes them from wine's BCryptGenRandom (the system RNG). It is
 * built and installed only into the throw-away wine prefix of scripts/windows-smoke.sh;
 * nothing of it ships in fieldscreen's Windows build.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T n) {
	while (n > 0) {
		ULONG chunk = n > 0x40000000 ? 0x40000000 : (ULONG)n;
		if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
			return FALSE;
		data += chunk;
		n -= chunk;
	}
	return TRUE;
}
