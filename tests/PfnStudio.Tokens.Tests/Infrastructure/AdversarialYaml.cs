using System.Globalization;
using System.Text;

namespace PfnStudio.Tokens.Tests.Infrastructure;

/// <summary>YAML shaped to cost CPU out of proportion to its size.</summary>
internal static class AdversarialYaml
{
    /// <summary>
    /// The shape from issue 16 (about 440 bytes): anchored lists that alias each other, the last alias used as a
    /// mapping key. Loaded into a node graph, each line multiplies the work by ten.
    /// </summary>
    public static string AliasBomb()
    {
        var yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (var c = 'b'; c <= 'i'; c++)
        {
            var previous = string.Create(CultureInfo.InvariantCulture, $"*{(char)(c - 1)}");
            yaml.Append(CultureInfo.InvariantCulture, $"{c}: &{c} [{string.Join(", ", Enumerable.Repeat(previous, 10))}]\n");
        }

        return yaml.Append("? *i\n: x\n").ToString();
    }
}
