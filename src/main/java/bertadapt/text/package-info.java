/**
 * Text to BERT input ids: Google's BERT tokenizer (BasicTokenizer + WordPiece) expressed as a
 * Hugging Face {@code tokenizer.json} ({@link bertadapt.text.BertTokenizerJson}) and run through
 * DJL's offline native tokenizer ({@link bertadapt.text.BertTokenizer}), with Google's truncation
 * and dynamic padding.
 */
package bertadapt.text;
