using System.CommandLine;
using DatasetForge.Cli;

namespace DatasetForge.Tests.TestSupport;

/// <summary>Runs a `forge` command line in this process (the real command tree), capturing what it prints.</summary>
public static class ForgeInProcess
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = ForgeCli.BuildRoot().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
