//! Word lists for synthetic people, shipped in `assets/demo/`.

fn lines(text: &'static str) -> Vec<&'static str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

/// Word lists, parsed once per generator.
pub struct Names {
    /// Women's first names.
    pub women: Vec<&'static str>,
    /// Men's first names.
    pub men: Vec<&'static str>,
    /// First halves of synthetic surnames.
    pub prefixes: Vec<&'static str>,
    /// Second halves of synthetic surnames.
    pub suffixes: Vec<&'static str>,
    /// Journal note texts.
    pub notes: Vec<&'static str>,
}

impl Names {
    /// Loads the lists compiled into the binary.
    pub fn load() -> Names {
        let parts = include_str!("../../assets/demo/surname_parts.txt");
        let (mut prefixes, mut suffixes, mut into_suffix) = (Vec::new(), Vec::new(), false);
        for line in lines(parts) {
            match line {
                "[prefix]" => into_suffix = false,
                "[suffix]" => into_suffix = true,
                word if into_suffix => suffixes.push(word),
                word => prefixes.push(word),
            }
        }
        Names {
            women: lines(include_str!("../../assets/demo/first_names_women.txt")),
            men: lines(include_str!("../../assets/demo/first_names_men.txt")),
            prefixes,
            suffixes,
            notes: lines(include_str!("../../assets/demo/notes.txt")),
        }
    }
}
