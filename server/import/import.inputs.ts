import { Field, InputType } from 'type-graphql';
import { IsNotEmpty, MaxLength } from 'class-validator';

@InputType({ description: '一个 CSV 文件：文件名（units.csv、accounts.csv、services.csv、posts.csv、messages.csv 之一）与 UTF-8 文本内容' })
export class CsvFileInput {
  @Field(() => String)
  @IsNotEmpty()
  @MaxLength(255)
  name: string;

  @Field(() => String, { description: '文件的全部文本（含表头行）' })
  content: string;
}
