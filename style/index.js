// For bundlers (the labextension's `styleModule`): load the global styles.
import "./base.css";
