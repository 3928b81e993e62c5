using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PfnStudio.Tokens.Projects.Artifacts;

/// <summary>The values of a model spec, parsed and checked.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Prior"><c>gp</c> or a pushed prior's name (its existence is checked by the caller).</param>
/// <param name="PriorLine">The 1-based line of the <c>prior</c> value, for the caller's message.</param>
/// <param name="Kernel"><c>rbf</c> or <c>matern52</c>.</param>
/// <param name="Lengthscale">Kernel lengthscale, finite and &gt; 0.</param>
/// <param name="Outputscale">Kernel output scale (signal variance), finite and &gt; 0.</param>
/// <param name="Noise">Observation noise variance, finite and &gt; 0.</param>
internal sealed record ParsedModelSpec(
    string Name, string Prior, int PriorLine, string Kernel, double Lengthscale, double Outputscale, double Noise);

/// <summary>A model spec that could not be accepted: the field and line at fault, and why.</summary>
/// <param name="Field">The YAML field (or <c>yaml</c> for the document itself).</param>
/// <param name="Line">1-based line number.</param>
/// <param name="Message">One sentence that starts with the line and field.</param>
internal sealed record ModelSpecError(string Field, int Line, string Message);

/// <summary>
/// Parses a model spec with YamlDotNet's representation model (which keeps line numbers) and checks it:
/// a single mapping with exactly the fields <c>name</c>, <c>prior</c>, <c>kernel</c>, <c>lengthscale</c>,
/// <c>outputscale</c>, <c>noise</c>; numbers finite and greater than 0.
/// </summary>
internal static class ModelSpecParser
{
    /// <summary>The kernels the Predict API computes.</summary>
    public static readonly IReadOnlyList<string> Kernels = ["rbf", "matern52"];

    private static readonly string[] Fields = ["name", "prior", "kernel", "lengthscale", "outputscale", "noise"];

    /// <summary>Deepest nesting of mappings and sequences accepted (a model spec needs 1).</summary>
    public const int MaxDepth = 8;

    /// <summary>Parses <paramref name="yaml"/>; exactly one of the results is set.</summary>
    public static (ParsedModelSpec? Spec, ModelSpecError? Error) Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            // The representation model is built recursively: a document of thousands of nested brackets
            // would overflow the stack and end the process. The event parser is not recursive, so the
            // depth is checked with it first.
            if (TooDeep(yaml) is { } deep)
            {
                return Fail("yaml", deep, $"nests more than {MaxDepth} levels deep; a model spec is a flat mapping");
            }

            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            var line = (int)Math.Max(1, ex.Start.Line);
            var reason = (ex.InnerException?.Message ?? ex.Message).Trim();
            return Fail("yaml", line, $"is not valid YAML: {reason}");
        }

        if (stream.Documents.Count != 1)
        {
            return Fail("yaml", 1, stream.Documents.Count == 0 ? "is empty; a model spec is a YAML mapping" : "holds several YAML documents; push one model spec at a time");
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return Fail("yaml", Line(stream.Documents[0].RootNode), "must be a YAML mapping of name, prior, kernel, lengthscale, outputscale and noise");
        }

        var values = new Dictionary<string, YamlScalarNode>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in root.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } || !Fields.Contains(key, StringComparer.Ordinal))
            {
                var shown = (keyNode as YamlScalarNode)?.Value ?? "(not a name)";
                return Fail(shown, Line(keyNode), $"is not a model spec field; the fields are {string.Join(", ", Fields)}");
            }

            if (valueNode is not YamlScalarNode scalar || string.IsNullOrWhiteSpace(scalar.Value))
            {
                return Fail(key, Line(valueNode), "must be a single value");
            }

            values[key] = scalar;
        }

        if (Fields.FirstOrDefault(f => !values.ContainsKey(f)) is { } missing)
        {
            return Fail(missing, Line(root), "is missing");
        }

        var name = values["name"].Value!.Trim();
        if (!ArtifactNames.Pattern().IsMatch(name))
        {
            return Fail("name", Line(values["name"]), $"must be {ArtifactNames.Rule}");
        }

        var prior = values["prior"].Value!.Trim();
        if (!ArtifactNames.Pattern().IsMatch(prior))
        {
            return Fail("prior", Line(values["prior"]), "must be \"gp\" or the name of a prior pushed to this project");
        }

        var kernel = values["kernel"].Value!.Trim();
        if (!Kernels.Contains(kernel, StringComparer.Ordinal))
        {
            return Fail("kernel", Line(values["kernel"]), $"must be one of {string.Join(", ", Kernels)}, not \"{kernel}\"");
        }

        var numbers = new Dictionary<string, double>();
        foreach (var field in (string[])["lengthscale", "outputscale", "noise"])
        {
            var text = values[field].Value!.Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
            {
                return Fail(field, Line(values[field]), $"must be a number greater than 0, not \"{text}\"");
            }

            if (number <= 0)
            {
                return Fail(field, Line(values[field]), $"must be greater than 0, not {text}");
            }

            numbers[field] = number;
        }

        return (new ParsedModelSpec(name, prior, Line(values["prior"]), kernel, numbers["lengthscale"], numbers["outputscale"], numbers["noise"]), null);
    }

    // The line where nesting first exceeds MaxDepth, or null.
    private static int? TooDeep(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (++depth > MaxDepth)
                    {
                        return (int)Math.Max(1, parser.Current.Start.Line);
                    }

                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }
        }

        return null;
    }

    private static int Line(YamlNode node) => (int)Math.Max(1, node.Start.Line);

    private static (ParsedModelSpec?, ModelSpecError?) Fail(string field, int line, string reason) =>
        (null, new ModelSpecError(field, line, $"Line {line}, field {field}: {reason}."));
}
