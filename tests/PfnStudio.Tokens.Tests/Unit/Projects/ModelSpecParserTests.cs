using System.Diagnostics;
using System.Text;
using PfnStudio.Tokens.Projects.Artifacts;
using PfnStudio.Tokens.Tests.Infrastructure;

namespace PfnStudio.Tokens.Tests.Unit.Projects;

/// <summary>Adversarial YAML: every shape is refused or accepted in time linear in its length, never thrown.</summary>
public sealed class ModelSpecParserTests
{
    private const string Valid = "name: m\nprior: gp\nkernel: rbf\nlengthscale: 1.5\noutputscale: 1\nnoise: 0.01\n";

    [Fact]
    public void TheAliasBombFromIssue16IsRefusedAtItsFirstAnchorInMilliseconds()
    {
        var yaml = AdversarialYaml.AliasBomb();
        Assert.InRange(Encoding.UTF8.GetByteCount(yaml), 300, 600);

        var watch = Stopwatch.StartNew();
        var (spec, error) = ModelSpecParser.Parse(yaml, TestContext.Current.CancellationToken);

        Assert.Null(spec);
        Assert.Equal("Line 1, field yaml: sets the anchor &a; anchors and aliases are not allowed in a model spec.", error!.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("name: &n m\nprior: gp\n", 1, "sets the anchor &n")]
    [InlineData("name: m\nprior: *p\n", 2, "uses the alias *p")]
    [InlineData("? *k\n: x\n", 1, "uses the alias *k")]
    [InlineData("name: !!str m\nprior: gp\n", 1, "has the tag tag:yaml.org,2002:str")]
    [InlineData("name: !local m\n", 1, "has the tag !local")]
    [InlineData("name: !<tag:example.com,2026:x> m\n", 1, "has the tag tag:example.com,2026:x")]
    [InlineData("--- !map\nname: m\n", 1, "has the tag !map")]
    [InlineData("name: m\n<<: {prior: gp}\n", 2, "uses the merge key <<")]
    [InlineData("name: m\nprior: [[[[[[[[[gp]]]]]]]]]\n", 2, "nests more than 8 levels deep")]
    public void AnchorsAliasesTagsMergeKeysAndDeepNestingAreRefusedByLine(string yaml, int line, string reason)
    {
        var (spec, error) = ModelSpecParser.Parse(yaml, TestContext.Current.CancellationToken);

        Assert.Null(spec);
        Assert.Equal("yaml", error!.Field);
        Assert.StartsWith($"Line {line}, field yaml: {reason}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHugeScalarIsRefusedWithoutBeingStoredAsAValue()
    {
        var (_, error) = ModelSpecParser.Parse("name: " + new string('m', 60_000) + "\n", TestContext.Current.CancellationToken);

        Assert.Equal($"Line 1, field yaml: has a value longer than {ModelSpecParser.MaxScalarLength} characters.", error!.Message);
    }

    [Fact]
    public void ManyNodesAreRefusedEvenWhenFlat()
    {
        var yaml = string.Concat(Enumerable.Range(0, 5_000).Select(i => $"- {i}\n"));

        var (_, error) = ModelSpecParser.Parse(yaml, TestContext.Current.CancellationToken);

        Assert.StartsWith($"Line 256, field yaml: has more than {ModelSpecParser.MaxNodes} values", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AQuotedLessThanLessThanIsAPlainValueNotAMergeKey()
    {
        var (_, error) = ModelSpecParser.Parse("name: '<<'\n", TestContext.Current.CancellationToken);

        Assert.StartsWith("Line 1, field prior: is missing", error!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name: \"\\UFFFFFFFF\"\n")] // YamlDotNet: ArgumentOutOfRangeException, not a YamlException
    [InlineData("name=: m|\n{prir: gp\nkernel: rbf\n")] // YamlDotNet: InvalidOperationException from the scanner
    [InlineData("name: \"\\uD800\"\n")]
    [InlineData("%YAML 9.9\n---\nname: m\n")]
    [InlineData("%TAG ! !\n%TAG ! !\n---\nname: m\n")]
    [InlineData("name: 'm\n")]
    [InlineData("name: m\n\tprior: gp\n")]
    [InlineData("name: |0\n m\n")]
    [InlineData("name: m: n\n")]
    public void SyntaxErrorsOfEveryKindAreAMessageNotAnException(string yaml)
    {
        var (spec, error) = ModelSpecParser.Parse(yaml, TestContext.Current.CancellationToken);

        Assert.Null(spec);
        Assert.Equal("yaml", error!.Field);
        Assert.Contains("field yaml: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomMutationsOfAValidSpecNeverThrowAndStayFast()
    {
        const string specials = "&*!|>'\"%@`{}[],:?-#\n\t \\uUx0F9<=.~\r\u0085\u2028\ufeff\0";
        string[] fragments = ["\"\\UFFFFFFFF\"", "\"\\uD800\"", "%YAML 1.1\n---\n", "%TAG !e! tag:x,\n---\n", "!e!x ", "&a ", "*a ", "<<: ", "[[[[[[[[[["];
        var random = new Random(16);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 5_000; i++)
        {
            var text = new StringBuilder(Valid);
            for (var edits = random.Next(1, 8); edits > 0; edits--)
            {
                var at = random.Next(text.Length + 1);
                if (random.Next(3) == 0 && at < text.Length)
                {
                    text.Remove(at, 1);
                }
                else if (random.Next(6) == 0)
                {
                    text.Insert(at, fragments[random.Next(fragments.Length)]);
                }
                else
                {
                    text.Insert(at, specials[random.Next(specials.Length)]);
                }
            }

            var (spec, error) = ModelSpecParser.Parse(text.ToString(), TestContext.Current.CancellationToken);
            Assert.True(spec is null != (error is null), text.ToString());
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void ACancelledRequestStopsTheWork()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => ModelSpecParser.Parse(Valid, cancelled.Token));
    }

    [Fact]
    public void AValidSpecStillParses()
    {
        var (spec, error) = ModelSpecParser.Parse(Valid, TestContext.Current.CancellationToken);

        Assert.Null(error);
        Assert.Equal(new ParsedModelSpec("m", "gp", 2, "rbf", 1.5, 1, 0.01), spec);
    }
}
