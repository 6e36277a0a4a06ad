namespace NodeAgent.TestSupport;

internal static class RepositoryFiles
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NodeAgent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no NodeAgent.sln above {AppContext.BaseDirectory}");
    }

    public static string PathOf(string relative) => Path.Combine(Root(), relative);
}
