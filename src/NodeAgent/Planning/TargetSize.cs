using System.Globalization;

namespace NodeAgent.Planning;

/// <summary>A byte count as an operator reads it in a plan reason: "1 GiB", "3.5 MiB", "812 bytes".</summary>
public static class TargetSize
{
    public static string Describe(long bytes)
    {
        string[] units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        if (bytes < 1024)
        {
            return $"{bytes} bytes";
        }

        var value = (double)bytes;
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return $"{value.ToString(value % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture)} {units[unit]}";
    }
}
