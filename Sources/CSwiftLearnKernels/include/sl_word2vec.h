// Word2vec's training loops with negative sampling (gensim 4's word2vec_inner.pyx restated in C):
// skip-gram and CBOW over a batch of sentences given as vocabulary indexes, with gensim's
// sigmoid table, its linear-congruential negative draws and its window arithmetic.
#ifndef SL_WORD2VEC_H
#define SL_WORD2VEC_H

#include <stdint.h>

typedef struct {
    float *syn0;              ///< input vectors, vocabulary × size (updated in place)
    float *syn1neg;           ///< output vectors for negative sampling, vocabulary × size
    const uint32_t *cum_table;///< cumulative unigram^ns_exponent table (gensim's cum_table)
    long cum_len;             ///< its length (the vocabulary size)
    long size;                ///< vector size
    int negative;             ///< negative samples per positive one
    int window;               ///< maximum window
    int cbow_mean;            ///< CBOW: average (1) or sum (0) the context vectors
} sl_w2v_model;

/// gensim's EXP_TABLE entry for a dot product (the logistic function, tabulated on 1000 points
/// over [-6, 6)); `*inside` is 0 when |f| ≥ 6 (gensim then skips the update).
float sl_w2v_sigmoid(float f, int *inside);

/// One skip-gram update (gensim's w2v_fast_sentence_sg_neg): the input vector of `word2` predicts
/// `word`, `negative` noise words are drawn with `next_random`. `work` holds `size` floats.
/// Returns the advanced generator state.
uint64_t sl_w2v_sg_pair(const sl_w2v_model *m, uint32_t word, uint32_t word2, float alpha, float *work, uint64_t next_random);

/// Trains on `sentences` sentences: indexes[starts[s] ..< starts[s+1]], `reduced[i]` the window
/// reduction of position i. Skip-gram when `sg`, else CBOW (`neu1` then holds `size` floats).
/// Returns the advanced generator state.
uint64_t sl_w2v_train(const sl_w2v_model *m, int sg, const uint32_t *indexes, const int32_t *starts, long sentences,
                      const int32_t *reduced, float alpha, float *work, float *neu1, uint64_t next_random);

#endif
