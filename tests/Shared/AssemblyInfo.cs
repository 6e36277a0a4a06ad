// NodeAgent runs on Linux only (P/Invoke into libc, Unix modes and owners); so do its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
